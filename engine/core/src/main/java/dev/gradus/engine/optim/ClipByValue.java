package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Clips every gradient element to {@code [−c_k, c_k]} (Keras' {@code clipvalue}, Optax's
 * {@code clip}, {@code torch.nn.utils.clip_grad_value_}): the element-wise form of the gradient
 * clipping of section 8.2.5, which also changes the gradient's direction. {@code c_k} is the
 * threshold schedule at this transform's step k; it must be ≥ 0. State: the step count.
 */
public record ClipByValue(Schedule threshold) implements GradientTransform {
  public ClipByValue {
    if (threshold == null) throw new IllegalArgumentException("clip threshold schedule must not be null");
  }

  public ClipByValue(double threshold) {
    this(Schedule.constant(Transforms.nonNegative("clip threshold", threshold)));
  }

  /** The number of updates made so far. */
  public record State(long step) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      return Map.of();
    }

    @Override
    public Map<String, Double> scalars() {
      return Map.of("step", (double) step);
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return new State(Transforms.step(dict));
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(threshold);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("clip_value", threshold.at(((State) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    long step = ((State) state).step();
    double c = Transforms.nonNegative("clip threshold", threshold.at(step), step);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      out.put(e.getKey(), g.backend().clamp(g, -c, c));
    }
    return new Update(out, new State(step + 1));
  }
}
