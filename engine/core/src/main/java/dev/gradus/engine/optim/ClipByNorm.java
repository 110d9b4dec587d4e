package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Per-tensor norm clipping, section 8.2.5 (Mikolov 2012; Pascanu et al. 2013): each parameter's
 * gradient is rescaled on its own, {@code g ← g · min(1, c_k / ‖g‖₂)}, keeping its direction and
 * bounding its length by {@code c_k} (the max-norm schedule at this transform's step k, which
 * must be > 0). A gradient already within the bound is passed through unchanged (the same
 * tensor), so there is no {@code ε} and no rescaling by {@code c/(c+ε)} at the boundary, and a
 * zero gradient stays zero. For one bound on all gradients together use {@link ClipByGlobalNorm}.
 *
 * <p>The norm is computed with the backend's {@code sumOfSquares} (in the gradient's type) and
 * read back once per tensor; the factor {@code c/‖g‖} is computed in float64 on the host.
 * State: the step count.
 */
public record ClipByNorm(Schedule maxNorm) implements StepCountingTransform {
  public ClipByNorm {
    if (maxNorm == null) throw new IllegalArgumentException("max-norm schedule must not be null");
  }

  public ClipByNorm(double maxNorm) {
    this(Schedule.constant(Transforms.positive("max norm", maxNorm)));
  }

  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("clip_norm", maxNorm);
  }

  /** The factor {@code min(1, c/‖g‖)} for a tensor of norm {@code norm}; NaN for a NaN norm. */
  static double factor(double c, double norm) {
    if (Double.isNaN(norm)) return Double.NaN;
    return norm <= c ? 1.0 : c / norm;
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double c = Transforms.positive("max norm", maxNorm.at(step), step);
    return StepCountingTransform.map(gradients, g -> {
      double f = factor(c, Math.sqrt(g.backend().sumOfSquares(g).item()));
      return f == 1.0 ? g : g.backend().scale(g, f);
    });
  }
}
