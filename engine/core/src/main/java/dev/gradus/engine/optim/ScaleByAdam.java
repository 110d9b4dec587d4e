package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam's scaling (Algorithm 8.7), with bias correction, as torch.optim.Adam (torch 1.13):
 * <pre>
 *   s ← ρ1 s + (1 − ρ1) g,   r ← ρ2 r + (1 − ρ2) g²
 *   r̂ = r                          (amsgrad = false)
 *   r̂ ← max(r̂, r)                  (amsgrad = true: the maximum of the raw, uncorrected r)
 *   u = (s / (1 − ρ1^(t+1))) / (√r̂ / √(1 − ρ2^(t+1)) + δ)
 * </pre>
 * t the 0-based update count (the book's t after its increment is t+1). δ is added after the
 * correction of √r, as in torch (the book writes √r̂ + δ with r̂ corrected: the same thing).
 * With schedules for ρ1, ρ2 the corrections use the current values, as torch does when a
 * scheduler changes {@code betas}. Followed by {@link ScaleByLearningRate} it is Adam; with
 * {@link AddDecayedWeights} between the two it is AdamW.
 *
 * <p>Buffers: {@code exp_avg/<path>}, {@code exp_avg_sq/<path>}, and {@code max_exp_avg_sq/<path>}
 * with amsgrad. Hyperparameters: {@code beta1}, {@code beta2}, {@code eps}.
 */
public record ScaleByAdam(Schedule beta1, Schedule beta2, Schedule eps, boolean amsgrad) implements BufferedTransform {
  public static final String EXP_AVG = "exp_avg";
  public static final String EXP_AVG_SQ = "exp_avg_sq";
  public static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

  public ScaleByAdam(double beta1, double beta2, double eps, boolean amsgrad) {
    this(Schedule.constant(beta1), Schedule.constant(beta2), Schedule.constant(eps), amsgrad);
  }

  @Override
  public String[] bufferNames() {
    return amsgrad ? new String[] {EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ} : new String[] {EXP_AVG, EXP_AVG_SQ};
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("beta1", beta1), Map.entry("beta2", beta2), Map.entry("eps", eps));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    long t = s.step();
    double b1 = beta1.at(t);
    double b2 = beta2.at(t);
    double delta = eps.at(t);
    double correction1 = 1.0 - Math.pow(b1, t + 1);
    double correction2Root = Math.sqrt(1.0 - Math.pow(b2, t + 1));
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor m = s.buffer(EXP_AVG, path);
      Tensor v = s.buffer(EXP_AVG_SQ, path);
      BufferedTransform.ema(be, m, g, b1);
      BufferedTransform.ema(be, v, be.mul(g, g), b2);
      Tensor second = v;
      if (amsgrad) {
        Tensor vmax = s.buffer(MAX_EXP_AVG_SQ, path);
        be.copyInto(vmax, be.maximum(vmax, v));
        second = vmax;
      }
      Tensor denominator = be.addScalar(be.scale(be.sqrt(second), 1.0 / correction2Root), delta);
      return be.div(be.scale(m, 1.0 / correction1), denominator);
    });
  }
}
