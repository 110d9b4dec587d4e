package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
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
public record ClipByNorm(Schedule maxNorm) implements GradientTransform {
  public ClipByNorm {
    if (maxNorm == null) throw new IllegalArgumentException("max-norm schedule must not be null");
  }

  public ClipByNorm(double maxNorm) {
    this(Schedule.constant(Transforms.positive("max norm", maxNorm)));
  }

  /** The number of updates made so far. */
  public record State(long step) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      return Map.of();
    }

    @Override
    public Map<String, Double> scalars() {
      return Map.of("step", (double) step);
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return new State(Transforms.step(dict));
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(maxNorm);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("clip_norm", maxNorm.at(((State) state).step()));
  }

  /** The factor {@code min(1, c/‖g‖)} for a tensor of norm {@code norm}; NaN for a NaN norm. */
  static double factor(double c, double norm) {
    if (Double.isNaN(norm)) return Double.NaN;
    return norm <= c ? 1.0 : c / norm;
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    long step = ((State) state).step();
    double c = Transforms.positive("max norm", maxNorm.at(step), step);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      double norm = Math.sqrt(g.backend().sumOfSquares(g).item());
      double f = factor(c, norm);
      out.put(e.getKey(), f == 1.0 ? g : g.backend().scale(g, f));
    }
    return new Update(out, new State(step + 1));
  }
}
