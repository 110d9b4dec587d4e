package dev.gradus.engine.nd4j;

import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array owned by a {@link Nd4jBackend} scope. The array is never a view of another
 * tensor's array, so closing it (at the end of its scope) frees exactly its own buffer.
 */
final class NdTensor implements Tensor {
  final Nd4jBackend backend;
  final INDArray arr;
  final DType dtype;
  final long[] shape;
  Nd4jBackend.Scope owner;
  boolean closed;

  NdTensor(Nd4jBackend backend, INDArray arr, DType dtype, long[] shape) {
    this.backend = backend;
    this.arr = arr;
    this.dtype = dtype;
    this.shape = shape;
  }

  @Override
  public Nd4jBackend backend() {
    return backend;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long[] shape() {
    return shape;
  }

  INDArray live() {
    if (closed) throw new IllegalStateException("nd4j tensor " + Arrays.toString(shape) + " used after it was closed (or its scope was)");
    return arr;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (arr.closeable()) arr.close();
  }

  @Override
  public String toString() {
    return "NdTensor" + Tensor.shapeString(shape) + " " + dtype;
  }
}
