package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transform whose state is a {@link TransformState} with per-parameter buffers (named
 * {@link #bufferNames}, filled with {@link #fill} at step 0) and that reads schedules reported
 * as named hyperparameters. This interface keeps the bookkeeping (state at step 0, restore, the
 * schedules read at the state's step, one step further per update); an implementation gives its
 * buffer names, its {@link #namedSchedules} and {@link #updates what it does at a step}, which
 * updates the buffers in place. The step-only counterpart is {@link StepCountingTransform}.
 */
interface BufferedTransform extends GradientTransform {
  /** The names of the per-parameter buffers, in state-dict order. */
  String[] bufferNames();

  /** The value every buffer starts at. */
  default double fill() {
    return 0.0;
  }

  /** The schedules this transform reads, keyed by the names their values are reported under, in order. */
  List<Map.Entry<String, Schedule>> namedSchedules();

  /** The updates for {@code gradients} at the state's step; the buffers of {@code state} are updated in place. */
  Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState state, ParameterSet params);

  @Override
  default OptimizerState init(ParameterSet params) {
    return TransformState.init(params, fill(), bufferNames());
  }

  @Override
  default OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params, bufferNames());
  }

  @Override
  default List<Schedule> schedules() {
    List<Schedule> out = new ArrayList<>();
    for (Map.Entry<String, Schedule> e : namedSchedules()) out.add(e.getValue());
    return List.copyOf(out);
  }

  @Override
  default Map<String, Double> hyperparameters(OptimizerState state) {
    long t = ((TransformState) state).step();
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, Schedule> e : namedSchedules()) out.put(e.getKey(), e.getValue().at(t));
    return out;
  }

  @Override
  default Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    return new Update(updates(gradients, s, params), s.next());
  }

  /** What a transform does to one parameter's gradient. */
  @FunctionalInterface
  interface PerParameter {
    /** The update for the gradient {@code g} of parameter {@code path}, on {@code g}'s backend. */
    Tensor apply(String path, Tensor g, Backend be);
  }

  /** {@code f} applied to each gradient, keyed and ordered as {@code gradients}. */
  static Map<String, Tensor> map(Map<String, Tensor> gradients, PerParameter f) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      out.put(e.getKey(), f.apply(e.getKey(), g, g.backend()));
    }
    return out;
  }

  /** The exponential moving average update {@code buf ← ρ·buf + (1−ρ)·x}, in place. */
  static void ema(Backend be, Tensor buf, Tensor x, double rho) {
    be.scaleInPlace(buf, rho);
    be.addInPlace(buf, x, 1.0 - rho);
  }
}
