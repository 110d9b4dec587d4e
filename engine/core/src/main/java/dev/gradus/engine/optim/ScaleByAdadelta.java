package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * AdaDelta's scaling (Algorithm 8.8), as torch.optim.Adadelta:
 * <pre>
 *   r ← ρ_t r + (1 − ρ_t) g²
 *   Δ = √(s + δ_t) / √(r + δ_t) · g
 *   s ← ρ_t s + (1 − ρ_t) Δ²
 *   u = Δ
 * </pre>
 * followed by {@link ScaleByLearningRate} (torch's {@code lr}, default 1: the book's update
 * {@code θ ← θ − Δ}). As in torch, s accumulates the squares of Δ before the learning rate.
 * Defaults ρ = 0.9, δ = 1e-6.
 *
 * <p>Buffers: {@code square_avg/<path>} (r), {@code acc_delta/<path>} (s). Hyperparameters:
 * {@code rho}, {@code eps}.
 */
public record ScaleByAdadelta(Schedule rho, Schedule eps) implements BufferedTransform {
  public static final String SQUARE_AVG = "square_avg";
  public static final String ACC_DELTA = "acc_delta";

  public ScaleByAdadelta(double rho, double eps) {
    this(Schedule.constant(rho), Schedule.constant(eps));
  }

  @Override
  public String[] bufferNames() {
    return new String[] {SQUARE_AVG, ACC_DELTA};
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("rho", rho), Map.entry("eps", eps));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    long t = s.step();
    double p = rho.at(t);
    double delta = eps.at(t);
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor r = s.buffer(SQUARE_AVG, path);
      Tensor acc = s.buffer(ACC_DELTA, path);
      BufferedTransform.ema(be, r, be.mul(g, g), p);
      Tensor std = be.sqrt(be.addScalar(r, delta));
      Tensor step = be.mul(be.div(be.sqrt(be.addScalar(acc, delta)), std), g);
      BufferedTransform.ema(be, acc, be.mul(step, step), p);
      return step;
    });
  }
}
