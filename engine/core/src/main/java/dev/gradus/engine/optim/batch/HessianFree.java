package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hessian-free (truncated Newton) optimization after Martens (2010): each step solves
 * {@code (G + λI) p = −g} approximately by conjugate gradient on curvature-vector products
 * (the Gauss-Newton matrix by default, positive semi-definite), stopping at
 * {@code maxCgIterations} or when {@code ‖r‖ ≤ cgTolerance·‖g‖}, warm-started from
 * {@code warmStart}× the previous solution. The damping λ follows the Levenberg–Marquardt rule
 * on the reduction ratio {@code ρ = (J(θ+p) − J(θ)) / (gᵀp + ½ pᵀGp)}: ×3/2 when ρ < 1/4, ×2/3
 * when ρ > 3/4. A step that does not lower J is backtracked (Armijo, halving, up to 10 values)
 * and refused when that fails too.
 *
 * <p>State: scalars {@code damping}, {@code cg_iterations}, {@code rho}; vector
 * {@code previous} (the last CG solution).
 */
public final class HessianFree implements BatchMethod {
  private final FlatProblem.Curvature curvature;
  private final double initialDamping;
  private final int maxCgIterations;
  private final double cgTolerance;
  private final double warmStart;

  public HessianFree(FlatProblem.Curvature curvature, double initialDamping, int maxCgIterations, double cgTolerance, double warmStart) {
    if (!(initialDamping >= 0) || maxCgIterations < 1 || !(cgTolerance > 0)) throw new IllegalArgumentException("bad Hessian-free settings");
    this.curvature = curvature;
    this.initialDamping = initialDamping;
    this.maxCgIterations = maxCgIterations;
    this.cgTolerance = cgTolerance;
    this.warmStart = warmStart;
  }

  /** Gauss-Newton, λ₀ = 1, at most 50 CG iterations, relative tolerance 1e-4, warm start 0.95. */
  public static HessianFree defaults() {
    return new HessianFree(FlatProblem.Curvature.GAUSS_NEWTON, 1.0, 50, 1e-4, 0.95);
  }

  @Override
  public String describe() {
    return "hessian-free(" + curvature.name().toLowerCase(java.util.Locale.ROOT) + ", damping=" + initialDamping + ", cg<=" + maxCgIterations + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("damping", initialDamping);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("damping", state.scalar("damping", initialDamping));
    h.put("hf.cg_iterations", state.scalar("cg_iterations", 0));
    h.put("hf.rho", state.scalar("rho", Double.NaN));
    return h;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    double[] x = p.x();
    FlatProblem.Point at = p.evaluate(x);
    double f = at.f();
    double[] g = at.g();
    double lambda = state.scalar("damping", initialDamping);
    double[] prev = state.vector("previous");
    double[] x0 = prev != null && warmStart > 0 ? DenseAlgebra.scale(warmStart, prev) : null;
    final double lam = lambda;
    DenseAlgebra.CgResult cg = DenseAlgebra.conjugateGradient(v -> DenseAlgebra.axpy(lam, v, p.product(curvature, x, v)), DenseAlgebra.neg(g), x0, cgTolerance,
        maxCgIterations);
    double[] step = cg.x();
    double[] gp = p.product(curvature, x, step);
    double model = DenseAlgebra.dot(g, step) + 0.5 * DenseAlgebra.dot(step, gp);
    double[] xNew = DenseAlgebra.axpy(1.0, step, x);
    double fNew = p.value(xNew);
    double rho = (fNew - f) / model;
    if (!(rho >= 0.25)) lambda *= 1.5;
    else if (rho > 0.75) lambda *= 2.0 / 3.0;
    double fAfter = f;
    if (fNew < f) {
      p.set(xNew);
      fAfter = fNew;
    } else {
      double gtd = DenseAlgebra.dot(g, step);
      if (gtd < 0) {
        LineSearch.Line line = new LineSearch.Line() {
          @Override
          public LineSearch.Sample at(double tt) {
            FlatProblem.Point pt = p.evaluate(DenseAlgebra.axpy(tt, step, x));
            return new LineSearch.Sample(tt, pt.f(), pt.g(), DenseAlgebra.dot(pt.g(), step));
          }

          @Override
          public double value(double tt) {
            return p.value(DenseAlgebra.axpy(tt, step, x));
          }
        };
        LineSearch.Result ls = LineSearch.armijo(1e-4, 0.5, 10).search(line, f, g, gtd, 0.5, DenseAlgebra.maxAbs(step));
        if (ls.satisfied() && ls.f() < f) {
          p.set(DenseAlgebra.axpy(ls.t(), step, x));
          fAfter = ls.f();
        } else {
          p.set(x);
        }
      } else {
        p.set(x);
      }
    }
    state.put("damping", lambda).put("cg_iterations", cg.iterations()).put("rho", rho).put("previous", step);
    return new Result(state, f, fAfter, p.evaluations());
  }
}
