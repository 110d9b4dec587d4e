package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
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
public record ScaleByAdadelta(Schedule rho, Schedule eps) implements GradientTransform {
  public static final String SQUARE_AVG = "square_avg";
  public static final String ACC_DELTA = "acc_delta";

  public ScaleByAdadelta(double rho, double eps) {
    this(Schedule.constant(rho), Schedule.constant(eps));
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return TransformState.init(params, 0.0, SQUARE_AVG, ACC_DELTA);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params, SQUARE_AVG, ACC_DELTA);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(rho, eps);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    long t = ((TransformState) state).step();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("rho", rho.at(t));
    out.put("eps", eps.at(t));
    return out;
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    long t = s.step();
    double p = rho.at(t);
    double delta = eps.at(t);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      Backend be = g.backend();
      Tensor r = s.buffer(SQUARE_AVG, e.getKey());
      Tensor acc = s.buffer(ACC_DELTA, e.getKey());
      be.scaleInPlace(r, p);
      be.addInPlace(r, be.mul(g, g), 1.0 - p);
      Tensor std = be.sqrt(be.addScalar(r, delta));
      Tensor step = be.mul(be.div(be.sqrt(be.addScalar(acc, delta)), std), g);
      be.scaleInPlace(acc, p);
      be.addInPlace(acc, be.mul(step, step), 1.0 - p);
      out.put(e.getKey(), step);
    }
    return new Update(out, s.next());
  }
}
