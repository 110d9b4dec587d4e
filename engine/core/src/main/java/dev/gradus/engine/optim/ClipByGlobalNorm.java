package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Global-norm clipping (section 8.2.5; Pascanu et al. 2013): all gradients are scaled by one
 * factor {@code f = min(1, c_k / (‖g‖ + ε))}, where {@code ‖g‖ = sqrt(Σ_tensors Σ g²)} is the
 * norm of all gradients concatenated and {@code c_k} the max-norm schedule at this transform's
 * step k (must be > 0).
 *
 * <p><b>Which library this matches.</b> With the default {@code ε = 1e-6} this is
 * {@code torch.nn.utils.clip_grad_norm_(params, c)} (norm type 2): torch computes
 * {@code clip_coef = max_norm / (total_norm + 1e-6)}, clamps it to at most 1 and multiplies every
 * gradient by it, so a gradient whose norm is exactly {@code c} is still scaled by
 * {@code c/(c+1e-6)}. With {@code ε = 0} it is Optax's {@code clip_by_global_norm} (scale by
 * {@code c/‖g‖} only when {@code ‖g‖ > c}). Where {@code f} is exactly 1 the gradients are passed
 * through unchanged (the same tensors), which equals torch's multiplication by 1.0 bit for bit.
 * A NaN norm gives NaN gradients, as in torch with {@code error_if_nonfinite=False}.
 *
 * <p>Numerics: each tensor's {@code Σ g²} is computed by the backend in the gradient's type,
 * the per-tensor sums are accumulated in float64 on the device and read back once per step, and
 * {@code f} is computed in float64 on the host. torch instead stacks the per-tensor norms in the
 * gradient's type, so float32 results can differ from torch's in the last bits.
 *
 * <p>State: the step count. The hyperparameter reported is {@code clip_global_norm}.
 */
public record ClipByGlobalNorm(Schedule maxNorm, double epsilon) implements StepCountingTransform {
  /** torch's {@code clip_grad_norm_} constant. */
  public static final double TORCH_EPSILON = 1e-6;

  public ClipByGlobalNorm {
    if (maxNorm == null) throw new IllegalArgumentException("max-norm schedule must not be null");
    Transforms.nonNegative("epsilon", epsilon);
  }

  /** torch semantics: {@code ε = 1e-6}. */
  public ClipByGlobalNorm(Schedule maxNorm) {
    this(maxNorm, TORCH_EPSILON);
  }

  /** torch semantics: {@code ε = 1e-6}. */
  public ClipByGlobalNorm(double maxNorm) {
    this(Schedule.constant(Transforms.positive("max norm", maxNorm)), TORCH_EPSILON);
  }

  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("clip_global_norm", maxNorm);
  }

  /**
   * {@code sqrt(Σ g²)} over every tensor of {@code gradients}: one read-back. 0 for no gradients.
   * Squares of finite float32 gradients above about 1.8e19 overflow; then the sums are taken again
   * in float64, so only a NaN/Inf gradient gives a non-finite norm (and clipping would zero it).
   */
  public static double globalNorm(Map<String, Tensor> gradients) {
    double norm = sumOfSquares(gradients, false);
    if (!Double.isFinite(norm)) norm = sumOfSquares(gradients, true);
    return Math.sqrt(norm);
  }

  private static double sumOfSquares(Map<String, Tensor> gradients, boolean castFirst) {
    Tensor total = null;
    for (Tensor g : gradients.values()) {
      Tensor x = castFirst && g.dtype() != DType.FLOAT64 ? g.backend().cast(g, DType.FLOAT64) : g;
      Tensor ss = g.backend().sumOfSquares(x);
      if (ss.dtype() != DType.FLOAT64) ss = g.backend().cast(ss, DType.FLOAT64);
      total = total == null ? ss : g.backend().add(total, ss);
    }
    return total == null ? 0.0 : total.item();
  }

  /** The factor {@code min(1, c/(norm + ε))}; NaN for a NaN norm. */
  public static double factor(double c, double norm, double epsilon) {
    if (Double.isNaN(norm)) return Double.NaN;
    return Math.min(1.0, c / (norm + epsilon));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double c = Transforms.positive("max norm", maxNorm.at(step), step);
    double f = factor(c, globalNorm(gradients), epsilon);
    return StepCountingTransform.map(gradients, g -> f == 1.0 ? g : g.backend().scale(g, f));
  }
}
