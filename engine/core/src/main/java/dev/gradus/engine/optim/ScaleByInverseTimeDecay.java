package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Multiplies the updates by {@code 1 / (1 + d_t · t)}, t the 0-based update count: torch.optim.Adagrad's
 * {@code lr_decay} ({@code clr = lr / (1 + (step − 1) lr_decay)} with torch's 1-based step). Kept
 * apart from the learning rate so that the learning rate stays an ordinary (discoverable)
 * schedule. With {@code d_t = 0} the updates pass through unchanged.
 *
 * <p>Hyperparameter: {@code lr_decay}.
 */
public record ScaleByInverseTimeDecay(Schedule decay) implements StepCountingTransform {
  public ScaleByInverseTimeDecay(double decay) {
    this(Schedule.constant(decay));
  }

  /** The step of {@code dict}, as it is, and no tensors in it: {@link TransformState#restore} without buffers. */
  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params);
  }

  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("lr_decay", decay);
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double d = decay.at(step);
    if (d == 0.0) return gradients;
    double factor = 1.0 / (1.0 + step * d);
    return StepCountingTransform.map(gradients, g -> g.backend().scale(g, factor));
  }
}
