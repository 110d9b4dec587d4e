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
 *
 * <p>State ownership is linear: {@code update} may change the state's buffers in place (the
 * fast path) and returns the state to use next; the state passed in must not be used again.
 * {@link StateDict#of} copies a state out, {@link #restore} builds one back.
 */
public interface GradientTransform {
  OptimizerState init(ParameterSet params);

  Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params);

  /**
   * A state equal to the one {@code dict} was taken from, its tensors on the parameters'
   * backend outside any scope. The default serves transforms without state.
   */
  default OptimizerState restore(StateDict dict, ParameterSet params) {
    if (!dict.tensors().isEmpty() || !dict.scalars().isEmpty() || !dict.words().isEmpty()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state but the state dict has "
          + dict.tensors().keySet() + " " + dict.scalars().keySet() + " " + dict.words().keySet());
    }
    return init(params);
  }

  /**
   * The hyperparameters in force for the next update (e.g. {@code lr}, {@code momentum}), keyed
   * stably, for logging and plots; schedules are evaluated at the state's step.
   */
  default Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of();
  }

  /**
   * Every schedule this transform reads (chains: all members'), so that the trainer can find
   * the ones driven by a validation metric and feed them.
   */
  default java.util.List<dev.gradus.engine.schedule.Schedule> schedules() {
    return java.util.List.of();
  }

  /** What {@link #update} returns: the updates by path and the next state. */
  record Update(Map<String, Tensor> updates, OptimizerState state) {}

  /** Applies transforms one after another, each seeing the previous one's output as gradients. */
  static GradientTransform chain(GradientTransform... transforms) {
    return new Chain(java.util.List.of(transforms));
  }
}
