package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nonlinear conjugate gradients (Goodfellow et al. Algorithm 8.10): direction
 * {@code ρ_t = −g_t + β_t ρ_{t−1}} with Fletcher–Reeves {@code β = g_tᵀg_t / g_{t−1}ᵀg_{t−1}}
 * (Eq. 8.19) or Polak–Ribière {@code β = (g_t − g_{t−1})ᵀg_t / g_{t−1}ᵀg_{t−1}} (Eq. 8.20; PR+
 * takes {@code max(0, β)}), then a line search along ρ. Restarts along −g every
 * {@code restartEvery} iterations (0: every n, the number of parameters) and whenever ρ is not a
 * descent direction. On a quadratic with exact line searches it reaches the minimum in n
 * iterations.
 *
 * <p>First trial step: {@code min(1, 1/‖g‖₁)} at a restart, else
 * {@code t_{t−1}·g_{t−1}ᵀρ_{t−1} / g_tᵀρ_t} (Nocedal & Wright Eq. 3.60). State: {@code d_prev},
 * {@code g_prev}, the last point {@code x}/{@code f}/{@code g}, scalars {@code since_restart},
 * {@code t}, {@code gtd}, {@code restarts}.
 */
public final class NonlinearConjugateGradient implements BatchMethod {
  /** The β formula. */
  public enum Beta {
    FLETCHER_REEVES, POLAK_RIBIERE_PLUS
  }

  private final Beta beta;
  private final LineSearch lineSearch;
  private final int restartEvery;
  private final double toleranceGrad;

  public NonlinearConjugateGradient(Beta beta, LineSearch lineSearch, int restartEvery, double toleranceGrad) {
    if (restartEvery < 0) throw new IllegalArgumentException("restartEvery must be >= 0");
    this.beta = beta;
    this.lineSearch = lineSearch;
    this.restartEvery = restartEvery;
    this.toleranceGrad = toleranceGrad;
  }

  /** PR+ with strong Wolfe (c1 = 1e-4, c2 = 0.1, as Nocedal & Wright advise for CG), restarts every n. */
  public static NonlinearConjugateGradient polakRibiere() {
    return new NonlinearConjugateGradient(Beta.POLAK_RIBIERE_PLUS, LineSearch.strongWolfe(1e-4, 0.1, 1e-9, 25), 0, 1e-10);
  }

  public static NonlinearConjugateGradient fletcherReeves() {
    return new NonlinearConjugateGradient(Beta.FLETCHER_REEVES, LineSearch.strongWolfe(1e-4, 0.1, 1e-9, 25), 0, 1e-10);
  }

  @Override
  public String describe() {
    return "cg(" + (beta == Beta.FLETCHER_REEVES ? "fletcher-reeves" : "polak-ribiere+") + ", " + lineSearch.describe() + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("since_restart", 0).put("restarts", 0);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("cg.beta", state.scalar("beta", 0));
    h.put("cg.t", state.scalar("t", Double.NaN));
    h.put("cg.restarts", state.scalar("restarts", 0));
    return h;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    int n = p.size();
    int every = restartEvery == 0 ? n : restartEvery;
    double[] x = p.x();
    FlatProblem.Point at = Bfgs.Cached.point(p, state, x);
    double f = at.f();
    double[] g = at.g();
    if (DenseAlgebra.maxAbs(g) <= toleranceGrad) return new Result(state, f, f, p.evaluations());
    double[] gPrev = state.vector("g_prev");
    double[] dPrev = state.vector("d_prev");
    int since = (int) state.scalar("since_restart", 0);
    double[] d;
    double b = 0;
    boolean restart = gPrev == null || dPrev == null || since >= every;
    if (!restart) {
      double gg = DenseAlgebra.dot(gPrev, gPrev);
      b = beta == Beta.FLETCHER_REEVES ? DenseAlgebra.dot(g, g) / gg : Math.max(0.0, DenseAlgebra.dot(DenseAlgebra.sub(g, gPrev), g) / gg);
      d = DenseAlgebra.axpy(b, dPrev, DenseAlgebra.neg(g));
      if (!(DenseAlgebra.dot(g, d) < 0)) restart = true;
    } else {
      d = null;
    }
    if (restart) {
      d = DenseAlgebra.neg(g);
      b = 0;
      since = 0;
      state.put("restarts", state.scalar("restarts", 0) + 1);
    }
    double gtd = DenseAlgebra.dot(g, d);
    double t0 = restart || !state.has("t") ? Math.min(1.0, 1.0 / DenseAlgebra.sumAbs(g)) : state.scalar("t", 1) * state.scalar("gtd", gtd) / gtd;
    if (!(t0 > 0) || !Double.isFinite(t0)) t0 = Math.min(1.0, 1.0 / DenseAlgebra.sumAbs(g));
    final double[] dir = d;
    LineSearch.Line line = tt -> {
      FlatProblem.Point pt = p.evaluate(DenseAlgebra.axpy(tt, dir, x));
      return new LineSearch.Sample(tt, pt.f(), pt.g(), DenseAlgebra.dot(pt.g(), dir));
    };
    LineSearch.Result ls = lineSearch.search(line, f, g, gtd, t0, DenseAlgebra.maxAbs(d));
    double[] xNew = DenseAlgebra.axpy(ls.t(), d, x);
    FlatProblem.Point next = ls.g() != null ? new FlatProblem.Point(xNew, ls.f(), ls.g()) : p.evaluate(xNew);
    p.set(xNew);
    state.put("g_prev", g).put("d_prev", d).put("since_restart", since + 1).put("t", ls.t()).put("gtd", gtd).put("beta", b);
    Bfgs.Cached.remember(state, next);
    return new Result(state, f, next.f(), p.evaluations());
  }
}
