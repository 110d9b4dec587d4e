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
}
