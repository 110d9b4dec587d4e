package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Clips every gradient element to {@code [−c_k, c_k]} (Keras' {@code clipvalue}, Optax's
 * {@code clip}, {@code torch.nn.utils.clip_grad_value_}): the element-wise form of the gradient
 * clipping of section 8.2.5, which also changes the gradient's direction. {@code c_k} is the
 * threshold schedule at this transform's step k; it must be ≥ 0. State: the step count.
 */
public record ClipByValue(Schedule threshold) implements StepCountingTransform {
  public ClipByValue {
    if (threshold == null) throw new IllegalArgumentException("clip threshold schedule must not be null");
  }

  public ClipByValue(double threshold) {
    this(Schedule.constant(Transforms.nonNegative("clip threshold", threshold)));
  }

  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("clip_value", threshold);
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double c = Transforms.nonNegative("clip threshold", threshold.at(step), step);
    return StepCountingTransform.map(gradients, g -> g.backend().clamp(g, -c, c));
  }
}
