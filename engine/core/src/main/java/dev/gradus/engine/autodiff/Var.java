package dev.gradus.engine.autodiff;

import dev.gradus.engine.tensor.Tensor;

/**
 * A value on a {@link Tape}: its tensor, how it was computed (operation, inputs, VJP) and, after
 * {@link Tape#backward}, the gradient of the loss with respect to it.
 */
public final class Var {
  final Tape tape;
  final Tensor value;
  final String op;
  final String layer;
  final Var[] inputs;
  final Vjp vjp;
  final boolean requiresGrad;
  final int index;
  Tensor grad;
  /** The differentiable form of {@link #vjp}, or null when the operation has none. */
  Vjp.Differentiable differentiableVjp;
  /** The gradient as a recorded value, after {@code backward(loss, true)}. */
  Var gradVar;

  Var(Tape tape, Tensor value, String op, String layer, Var[] inputs, Vjp vjp, boolean requiresGrad, int index) {
    this.tape = tape;
    this.value = value;
    this.op = op;
    this.layer = layer;
    this.inputs = inputs;
    this.vjp = vjp;
    this.requiresGrad = requiresGrad;
    this.index = index;
  }

  public Tensor value() {
    return value;
  }

  /** The gradient after {@link Tape#backward}; null when the loss does not depend on this value. */
  public Tensor grad() {
    return grad;
  }

  /**
   * The gradient as a value recorded on the same tape, after
   * {@link Tape#backward(Var, boolean) backward(loss, true)}; differentiating a function of it
   * gives second derivatives. Null when the loss does not depend on this value.
   */
  public Var gradVar() {
    return gradVar;
  }

  public Tape tape() {
    return tape;
  }

  /** The operation that made it ("affine", "relu", "param", "input", ...). */
  public String op() {
    return op;
  }

  /** The model layer that was current when it was made (e.g. "layers.2"), or "" outside layers. */
  public String layer() {
    return layer;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  public long[] shape() {
    return value.shape();
  }

  @Override
  public String toString() {
    return op + Tensor.shapeString(value.shape()) + (layer.isEmpty() ? "" : " @" + layer);
  }
}
