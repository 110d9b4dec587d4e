package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * An optimizer building block in the Optax style: {@code init} makes the state, {@code update}
 * turns gradients into updates and returns the next state. Optimizers are {@link #chain chains}
 * of small transforms (SGD = scale by −learning rate).
 *
 * <p>Maps are keyed by parameter path, in parameter order. Updates are added to parameters by
 * {@link Optimizers#applyUpdates}. Tensors returned as updates may belong to the caller's
 * step scope; tensors kept in the state must outlive the step: make them in {@code init}, or
 * pass new ones through {@link dev.gradus.engine.tensor.Backend#detach}.
 */
public interface GradientTransform {
  OptimizerState init(ParameterSet params);

  Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params);

  /** What {@link #update} returns: the updates by path and the next state. */
  record Update(Map<String, Tensor> updates, OptimizerState state) {}

  /** Applies transforms one after another, each seeing the previous one's output as gradients. */
  static GradientTransform chain(GradientTransform... transforms) {
    return new Chain(java.util.List.of(transforms));
  }
}
