package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSProp's scaling (Algorithm 8.5), by the root of a moving average of squared gradients:
 * <pre>
 *   r ← ρ_t r + (1 − ρ_t) g²
 *   u = g / (√r + δ_t)                         (centered = false)
 *   m ← ρ_t m + (1 − ρ_t) g,  u = g / (√(r − m²) + δ_t)   (centered = true: Graves' variance form)
 * </pre>
 * as torch.optim.RMSprop ({@code alpha} = ρ, default 0.99; {@code eps} = δ, default 1e-8, added
 * to the root; the book's box has no δ: δ = 0). torch's {@code momentum} is a {@link Trace}
 * after this transform; the book's RMSProp with (Nesterov) momentum, Algorithm 8.6, is a
 * {@link Velocity} after it.
 *
 * <p>Buffers: {@code square_avg/<path>}, and {@code grad_avg/<path>} when centered.
 * Hyperparameters: {@code alpha}, {@code eps}.
 */
public record ScaleByRms(Schedule decay, Schedule eps, boolean centered) implements GradientTransform {
  public static final String SQUARE_AVG = "square_avg";
  public static final String GRAD_AVG = "grad_avg";

  public ScaleByRms(double decay, double eps, boolean centered) {
    this(Schedule.constant(decay), Schedule.constant(eps), centered);
  }

  private String[] buffers() {
    return centered ? new String[] {SQUARE_AVG, GRAD_AVG} : new String[] {SQUARE_AVG};
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return TransformState.init(params, 0.0, buffers());
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params, buffers());
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(decay, eps);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    long t = ((TransformState) state).step();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("alpha", decay.at(t));
    out.put("eps", eps.at(t));
    return out;
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    long t = s.step();
    double rho = decay.at(t);
    double delta = eps.at(t);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      Backend be = g.backend();
      Tensor r = s.buffer(SQUARE_AVG, e.getKey());
      be.scaleInPlace(r, rho);
      be.addInPlace(r, be.mul(g, g), 1.0 - rho);
      Tensor root;
      if (centered) {
        Tensor m = s.buffer(GRAD_AVG, e.getKey());
        be.scaleInPlace(m, rho);
        be.addInPlace(m, g, 1.0 - rho);
        root = be.sqrt(be.sub(r, be.mul(m, m)));
      } else {
        root = be.sqrt(r);
      }
      out.put(e.getKey(), be.div(g, be.addScalar(root, delta)));
    }
    return new Update(out, s.next());
  }
}
