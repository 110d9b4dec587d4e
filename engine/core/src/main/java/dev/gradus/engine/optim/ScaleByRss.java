package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
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
public record ScaleByRss(double initialAccumulatorValue, Schedule eps) implements BufferedTransform {
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
  public String[] bufferNames() {
    return new String[] {BUFFER};
  }

  @Override
  public double fill() {
    return initialAccumulatorValue;
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("eps", eps));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    double delta = eps.at(s.step());
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor r = s.buffer(BUFFER, path);
      be.addInPlace(r, be.mul(g, g), 1.0);
      return be.div(g, be.addScalar(be.sqrt(r), delta));
    });
  }
}
