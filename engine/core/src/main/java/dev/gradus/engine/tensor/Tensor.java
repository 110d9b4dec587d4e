package dev.gradus.engine.tensor;

import java.util.Arrays;

/**
 * A handle to an n-dimensional array owned by a {@link Backend}. All arithmetic goes through the
 * backend; a tensor only knows its type and shape. A tensor belongs to the memory scope that was
 * current when it was made (see {@link Backend#openScope()}) and is freed when that scope
 * closes, or earlier by {@link #close()}.
 */
public interface Tensor extends AutoCloseable {
  Backend backend();

  DType dtype();

  /** The shape; callers must not modify the returned array. */
  long[] shape();

  default int rank() {
    return shape().length;
  }

  default long size() {
    long n = 1;
    for (long d : shape()) n *= d;
    return n;
  }

  /** Size of dimension {@code axis}; negative axes count from the end. */
  default long dim(int axis) {
    long[] s = shape();
    return s[axis < 0 ? s.length + axis : axis];
  }

  default float[] toFloats() {
    return backend().toFloats(this);
  }

  default double[] toDoubles() {
    return backend().toDoubles(this);
  }

  default long[] toLongs() {
    return backend().toLongs(this);
  }

  /** The value of a one-element tensor. */
  default double item() {
    return backend().item(this);
  }

  /** Frees the tensor now instead of at the end of its scope. Idempotent. */
  @Override
  void close();

  static String shapeString(long[] shape) {
    return Arrays.toString(shape);
  }
}
