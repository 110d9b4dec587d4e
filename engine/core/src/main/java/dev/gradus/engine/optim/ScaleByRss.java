package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaGrad's scaling (Algorithm 8.4), by the root of the sum of squared gradients:
 * <pre>
 *   r ← r + g²,   u = g / (√r + δ_t)
 * </pre>
 * with r starting at {@code initialAccumulatorValue}. As torch.optim.Adagrad: δ (torch's
 * {@code eps}, default 1e-10) is added to √r; the book's box has no δ (δ = 0). Named after
 * Optax's {@code scale_by_rss}.
 *
 * <p>Buffer: {@code sum/<path>}. Hyperparameters: {@code eps}.
 */
public record ScaleByRss(double initialAccumulatorValue, Schedule eps) implements GradientTransform {
  public static final String BUFFER = "sum";

  public ScaleByRss {
    if (!(initialAccumulatorValue >= 0)) {
      throw new IllegalArgumentException("initial accumulator value must be >= 0, got " + initialAccumulatorValue);
    }
  }

  public ScaleByRss(double initialAccumulatorValue, double eps) {
    this(initialAccumulatorValue, Schedule.constant(eps));
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return TransformState.init(params, initialAccumulatorValue, BUFFER);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params, BUFFER);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(eps);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("eps", eps.at(((TransformState) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    double delta = eps.at(s.step());
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      Backend be = g.backend();
      Tensor r = s.buffer(BUFFER, e.getKey());
      be.addInPlace(r, be.mul(g, g), 1.0);
      out.put(e.getKey(), be.div(g, be.addScalar(be.sqrt(r), delta)));
    }
    return new Update(out, s.next());
  }
}
