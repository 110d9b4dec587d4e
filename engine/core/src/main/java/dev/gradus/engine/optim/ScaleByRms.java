package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
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
public record ScaleByRms(Schedule decay, Schedule eps, boolean centered) implements BufferedTransform {
  public static final String SQUARE_AVG = "square_avg";
  public static final String GRAD_AVG = "grad_avg";

  public ScaleByRms(double decay, double eps, boolean centered) {
    this(Schedule.constant(decay), Schedule.constant(eps), centered);
  }

  @Override
  public String[] bufferNames() {
    return centered ? new String[] {SQUARE_AVG, GRAD_AVG} : new String[] {SQUARE_AVG};
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("alpha", decay), Map.entry("eps", eps));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    long t = s.step();
    double rho = decay.at(t);
    double delta = eps.at(t);
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor r = s.buffer(SQUARE_AVG, path);
      BufferedTransform.ema(be, r, be.mul(g, g), rho);
      Tensor root;
      if (centered) {
        Tensor m = s.buffer(GRAD_AVG, path);
        BufferedTransform.ema(be, m, g, rho);
        root = be.sqrt(be.sub(r, be.mul(m, m)));
      } else {
        root = be.sqrt(r);
      }
      return be.div(g, be.addScalar(root, delta));
    });
  }
}
