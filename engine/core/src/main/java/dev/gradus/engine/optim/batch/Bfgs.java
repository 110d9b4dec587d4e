package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BFGS with a dense inverse-Hessian approximation M (Goodfellow et al. Algorithm 8.11), for
 * small models (n² memory). Each step: direction {@code ρ = −M g}, a line search (strong Wolfe by
 * default), then the inverse update {@code M ← (I − ρ s yᵀ) M (I − ρ y sᵀ) + ρ s sᵀ},
 * {@code ρ = 1/yᵀs}, skipped unless {@code yᵀs > 1e-10}. (The book's Eq. 8.23 prints
 * {@code φᵀφ} where the standard update, used here, has {@code Δ Δᵀ}; Nocedal & Wright Eq. 6.17.)
 * M starts at I; with {@code scaleInitial} it is replaced by {@code (yᵀs/yᵀy) I} just before the
 * first update (Nocedal & Wright Eq. 6.20). A direction that is not a descent direction resets M
 * to I. The first step tries {@code t = min(1, 1/‖g‖₁)}, later ones t = 1.
 *
 * <p>State: {@code M} (row-major n×n), the last point {@code x} with its {@code f} and {@code g}
 * (reused when the parameters have not moved since), scalars {@code iterations}, {@code updates}.
 */
public final class Bfgs implements BatchMethod {
  private final LineSearch lineSearch;
  private final boolean scaleInitial;
  private final double toleranceGrad;

  public Bfgs(LineSearch lineSearch, boolean scaleInitial, double toleranceGrad) {
    this.lineSearch = lineSearch;
    this.scaleInitial = scaleInitial;
    this.toleranceGrad = toleranceGrad;
  }

  /** Strong Wolfe (c1 = 1e-4, c2 = 0.9), scaled initial M, gradient tolerance 1e-10. */
  public static Bfgs defaults() {
    return new Bfgs(LineSearch.strongWolfe(), true, 1e-10);
  }

  @Override
  public String describe() {
    return "bfgs(" + lineSearch.describe() + (scaleInitial ? ", scaled M0" : "") + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("iterations", 0).put("updates", 0);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("bfgs.updates", state.scalar("updates", 0));
    h.put("bfgs.t", state.scalar("t", Double.NaN));
    return h;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    int n = p.size();
    double[] x = p.x();
    FlatProblem.Point at = Cached.point(p, state, x);
    double f = at.f();
    double[] g = at.g();
    if (DenseAlgebra.maxAbs(g) <= toleranceGrad) return new Result(state, f, f, p.evaluations());
    double[][] m = state.vector("M") == null ? DenseAlgebra.identity(n) : DenseAlgebra.square(state.vector("M"), n);
    double[] d = DenseAlgebra.neg(DenseAlgebra.matVec(m, g));
    double gtd = DenseAlgebra.dot(g, d);
    if (!(gtd < 0)) {
      m = DenseAlgebra.identity(n);
      state.put("updates", 0);
      d = DenseAlgebra.neg(g);
      gtd = DenseAlgebra.dot(g, d);
    }
    int iterations = (int) state.scalar("iterations", 0);
    double t0 = iterations == 0 ? Math.min(1.0, 1.0 / DenseAlgebra.sumAbs(g)) : 1.0;
    final double[] dir = d;
    LineSearch.Line line = tt -> {
      FlatProblem.Point pt = p.evaluate(DenseAlgebra.axpy(tt, dir, x));
      return new LineSearch.Sample(tt, pt.f(), pt.g(), DenseAlgebra.dot(pt.g(), dir));
    };
    LineSearch.Result ls = lineSearch.search(line, f, g, gtd, t0, DenseAlgebra.maxAbs(d));
    double[] xNew = DenseAlgebra.axpy(ls.t(), d, x);
    FlatProblem.Point next = ls.g() != null ? new FlatProblem.Point(xNew, ls.f(), ls.g()) : p.evaluate(xNew);
    double[] s = DenseAlgebra.sub(xNew, x);
    double[] y = DenseAlgebra.sub(next.g(), g);
    double ys = DenseAlgebra.dot(y, s);
    if (ys > 1e-10) {
      if (scaleInitial && state.scalar("updates", 0) == 0) m = DenseAlgebra.plusIdentity(new double[n][n], ys / DenseAlgebra.dot(y, y));
      double rho = 1.0 / ys;
      double[] hy = DenseAlgebra.matVec(m, y);
      double yhy = DenseAlgebra.dot(y, hy);
      double c = rho * rho * yhy + rho;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) m[i][j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + c * s[i] * s[j];
      }
      state.put("updates", state.scalar("updates", 0) + 1);
    }
    p.set(xNew);
    state.put("M", DenseAlgebra.flatten(m)).put("t", ls.t()).put("iterations", iterations + 1);
    Cached.remember(state, next);
    return new Result(state, f, next.f(), p.evaluations());
  }

  /** The last evaluated point kept in a state, reused when the parameters are still there. */
  static final class Cached {
    private Cached() {}

    static FlatProblem.Point point(FlatProblem p, BatchState state, double[] x) {
      double[] cx = state.vector("x");
      if (cx != null && Arrays.equals(cx, x) && state.vector("g") != null) {
        return new FlatProblem.Point(x, state.scalar("f", Double.NaN), state.vector("g"));
      }
      return p.evaluate(x);
    }

    static void remember(BatchState state, FlatProblem.Point pt) {
      state.put("x", pt.x()).put("f", pt.f()).put("g", pt.g());
    }
  }
}
