package dev.gradus.engine.pytorch;

import ai.djl.pytorch.engine.PtNDArray;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;

/** A libtorch tensor. The shape is cached: asking libtorch for it is a native call. */
final class PtTensor implements Tensor {
  final PyTorchBackend backend;
  final PtNDArray nd;
  private final DType dtype;
  private long[] shape;

  PtTensor(PyTorchBackend backend, PtNDArray nd, DType dtype, long[] shape) {
    this.backend = backend;
    this.nd = nd;
    this.dtype = dtype;
    this.shape = shape;
  }

  @Override
  public PyTorchBackend backend() {
    return backend;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long[] shape() {
    if (shape == null) shape = nd.getShape().getShape();
    return shape;
  }

  /** The shape if already known, else null (so callers can pass it on without a native call). */
  long[] knownShape() {
    return shape;
  }

  @Override
  public void close() {
    nd.close();
  }

  @Override
  public String toString() {
    return "PtTensor" + Tensor.shapeString(shape()) + " " + dtype;
  }
}
