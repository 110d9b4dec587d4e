package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A transform whose only state is its step count k (a {@link TransformState} without buffers:
 * {@code "step"} in its state dict and nothing else) and that reads one schedule, reported as one
 * hyperparameter. This interface keeps the step bookkeeping (state at step 0, restore, one step
 * further per update, the schedule read at the state's step); an implementation gives its
 * {@link #hyperparameter} and {@link #updates what it does at step k}.
 */
interface StepCountingTransform extends GradientTransform {
  /** The schedule this transform reads, keyed by the name its value is reported under. */
  Map.Entry<String, Schedule> hyperparameter();

  /** The updates for {@code gradients} at step {@code step} (may be {@code gradients} itself). */
  Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params);

  @Override
  default OptimizerState init(ParameterSet params) {
    return TransformState.counter(0);
  }

  /** The step of {@code dict}, checked by {@link Transforms#step(StateDict)}. */
  @Override
  default OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.counter(Transforms.step(dict));
  }

  @Override
  default List<Schedule> schedules() {
    return List.of(hyperparameter().getValue());
  }

  @Override
  default Map<String, Double> hyperparameters(OptimizerState state) {
    Map.Entry<String, Schedule> h = hyperparameter();
    return Map.of(h.getKey(), h.getValue().at(((TransformState) state).step()));
  }

  @Override
  default Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    long step = ((TransformState) state).step();
    return new Update(updates(gradients, step, params), TransformState.counter(step + 1));
  }

  /** {@code f} applied to each gradient, keyed and ordered as {@code gradients}. */
  static Map<String, Tensor> map(Map<String, Tensor> gradients, UnaryOperator<Tensor> f) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) out.put(e.getKey(), f.apply(e.getValue()));
    return out;
  }
}
