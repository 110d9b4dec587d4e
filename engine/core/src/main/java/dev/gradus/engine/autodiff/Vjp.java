package dev.gradus.engine.autodiff;

import dev.gradus.engine.tensor.Tensor;

/**
 * The vector-Jacobian product of one recorded operation: given the gradient of the loss with
 * respect to the operation's output, the gradients with respect to each input. Entries whose
 * {@code needed} flag is false may be null (and should not be computed).
 */
@FunctionalInterface
public interface Vjp {
  Tensor[] apply(Tensor upstream, boolean[] needed);

  /**
   * The same vector-Jacobian product written with {@link Ops} on the tape, so that the gradients
   * it returns are themselves recorded values that can be differentiated again (double backward,
   * {@link Tape#backward(Var, boolean)} with {@code createGraph}). {@code output} is the
   * operation's own recorded result, for rules that read it (tanh, sigmoid, exp, div, ...).
   * Entries whose {@code needed} flag is false may be null.
   */
  @FunctionalInterface
  interface Differentiable {
    Var[] apply(Var upstream, Var output, boolean[] needed);
  }
}
