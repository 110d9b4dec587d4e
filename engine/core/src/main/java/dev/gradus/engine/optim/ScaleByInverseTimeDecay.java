package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiplies the updates by {@code 1 / (1 + d_t · t)}, t the 0-based update count: torch.optim.Adagrad's
 * {@code lr_decay} ({@code clr = lr / (1 + (step − 1) lr_decay)} with torch's 1-based step). Kept
 * apart from the learning rate so that the learning rate stays an ordinary (discoverable)
 * schedule. With {@code d_t = 0} the updates pass through unchanged.
 *
 * <p>Hyperparameter: {@code lr_decay}.
 */
public record ScaleByInverseTimeDecay(Schedule decay) implements GradientTransform {
  public ScaleByInverseTimeDecay(double decay) {
    this(Schedule.constant(decay));
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return TransformState.counter(0);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(decay);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("lr_decay", decay.at(((TransformState) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    double d = decay.at(s.step());
    if (d == 0.0) return new Update(gradients, s.next());
    double factor = 1.0 / (1.0 + s.step() * d);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) out.put(e.getKey(), e.getValue().backend().scale(e.getValue(), factor));
    return new Update(out, s.next());
  }
}
