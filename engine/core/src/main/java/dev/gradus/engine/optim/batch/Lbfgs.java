package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limited-memory BFGS (Goodfellow et al. 8.5.3; Nocedal & Wright Alg. 7.4, the two-loop
 * recursion), step for step as {@code torch.optim.LBFGS} (torch 1.13): one {@link #step} is one
 * call of torch's {@code optimizer.step(closure)}, i.e. up to {@code maxIter} iterations.
 *
 * <p>Semantics kept from torch: the objective is evaluated at the start of every step; the step
 * returns at once when {@code max|g| ≤ toleranceGrad}; the very first iteration goes along −g with
 * the step {@code min(1, 1/‖g‖₁)·lr}, later ones along the two-loop direction with step
 * {@code lr} as the first trial; a curvature pair (s, y) enters the history only when
 * {@code yᵀs > 1e-10}, the oldest leaving once it holds {@code historySize}, and the initial
 * inverse Hessian is {@code H_diag·I} with {@code H_diag = yᵀs / yᵀy} of the newest pair; the
 * iteration loop ends when {@code gᵀd > −toleranceChange} (no descent), after {@code maxIter}
 * iterations or {@code maxEval} evaluations, when the gradient is small, when
 * {@code max|t d| ≤ toleranceChange}, or when the loss changed by less than
 * {@code toleranceChange}. Parameter updates are {@code x + t d} with one rounding per element
 * (torch's {@code add_(alpha=)}).
 *
 * <p>State names (torch's): {@code d}, {@code prev_flat_grad}, {@code old_dirs/i} (the y's),
 * {@code old_stps/i} (the s's), {@code ro/i}, and scalars {@code t}, {@code H_diag},
 * {@code prev_loss}, {@code n_iter}, {@code func_evals}, {@code history}.
 */
public final class Lbfgs implements BatchMethod {
  private final double lr;
  private final int maxIter;
  private final int maxEval;
  private final double toleranceGrad;
  private final double toleranceChange;
  private final int historySize;
  private final LineSearch lineSearch;

  /**
   * @param lineSearch {@link LineSearch#strongWolfe()} (torch's {@code line_search_fn="strong_wolfe"})
   *     or null for fixed steps (torch's default {@code None})
   */
  public Lbfgs(double lr, int maxIter, int maxEval, double toleranceGrad, double toleranceChange, int historySize, LineSearch lineSearch) {
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
    if (maxIter < 1 || maxEval < 1 || historySize < 1) throw new IllegalArgumentException("maxIter, maxEval and historySize must be >= 1");
    this.lr = lr;
    this.maxIter = maxIter;
    this.maxEval = maxEval;
    this.toleranceGrad = toleranceGrad;
    this.toleranceChange = toleranceChange;
    this.historySize = historySize;
    this.lineSearch = lineSearch;
  }

  /** torch.optim.LBFGS(lr, max_iter, history_size=m, line_search_fn="strong_wolfe") with the other defaults. */
  public static Lbfgs strongWolfe(double lr, int maxIter, int historySize) {
    return new Lbfgs(lr, maxIter, maxIter * 5 / 4, 1e-7, 1e-9, historySize, LineSearch.strongWolfe());
  }

  /** One iteration per step, history 10, strong Wolfe: the usual batch setting. */
  public static Lbfgs defaults() {
    return strongWolfe(1.0, 1, 10);
  }

  @Override
  public String describe() {
    return "lbfgs(lr=" + lr + ", max_iter=" + maxIter + ", m=" + historySize + ", " + (lineSearch == null ? "no line search" : lineSearch.describe()) + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("func_evals", 0).put("n_iter", 0);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("lr", lr);
    h.put("lbfgs.history", state.scalar("history", 0));
    h.put("lbfgs.H_diag", state.scalar("H_diag", 1));
    h.put("lbfgs.t", state.scalar("t", Double.NaN));
    return h;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    double[] x = p.x();
    FlatProblem.Point start = p.evaluate(x);
    double origLoss = start.f();
    double loss = origLoss;
    double[] flatGrad = start.g();
    int currentEvals = 1;
    state.put("func_evals", state.scalar("func_evals", 0) + 1);
    if (DenseAlgebra.maxAbs(flatGrad) <= toleranceGrad) {
      return new Result(state, origLoss, origLoss, p.evaluations());
    }
    double[] d = state.vector("d");
    double t = state.scalar("t", Double.NaN);
    int history = (int) state.scalar("history", 0);
    double[][] oldDirs = new double[history][];
    double[][] oldStps = new double[history][];
    double[] ro = new double[history];
    for (int i = 0; i < history; i++) {
      oldDirs[i] = state.vector("old_dirs/" + i);
      oldStps[i] = state.vector("old_stps/" + i);
      ro[i] = state.scalar("ro/" + i, Double.NaN);
    }
    java.util.List<double[]> dirs = new java.util.ArrayList<>(java.util.List.of(oldDirs));
    java.util.List<double[]> stps = new java.util.ArrayList<>(java.util.List.of(oldStps));
    java.util.List<Double> ros = new java.util.ArrayList<>();
    for (double r : ro) ros.add(r);
    double hDiag = state.scalar("H_diag", 1);
    double[] prevFlatGrad = state.vector("prev_flat_grad");
    double prevLoss = state.scalar("prev_loss", Double.NaN);
    double lossAfter = Double.NaN;
    int nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.put("n_iter", state.scalar("n_iter", 0) + 1);
      if (state.scalar("n_iter", 0) == 1) {
        d = DenseAlgebra.neg(flatGrad);
        dirs.clear();
        stps.clear();
        ros.clear();
        hDiag = 1;
      } else {
        double[] y = DenseAlgebra.sub(flatGrad, prevFlatGrad);
        double[] s = DenseAlgebra.scale(t, d);
        double ys = DenseAlgebra.dot(y, s);
        if (ys > 1e-10) {
          if (dirs.size() == historySize) {
            dirs.remove(0);
            stps.remove(0);
            ros.remove(0);
          }
          dirs.add(y);
          stps.add(s);
          ros.add(1.0 / ys);
          hDiag = ys / DenseAlgebra.dot(y, y);
        }
        int numOld = dirs.size();
        double[] al = new double[numOld];
        double[] q = DenseAlgebra.neg(flatGrad);
        for (int i = numOld - 1; i >= 0; i--) {
          al[i] = DenseAlgebra.dot(stps.get(i), q) * ros.get(i);
          q = DenseAlgebra.axpy(-al[i], dirs.get(i), q);
        }
        double[] r = DenseAlgebra.scale(hDiag, q);
        for (int i = 0; i < numOld; i++) {
          double beI = DenseAlgebra.dot(dirs.get(i), r) * ros.get(i);
          r = DenseAlgebra.axpy(al[i] - beI, stps.get(i), r);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.clone();
      prevLoss = loss;
      if (state.scalar("n_iter", 0) == 1) {
        t = Math.min(1.0, 1.0 / DenseAlgebra.sumAbs(flatGrad)) * lr;
      } else {
        t = lr;
      }
      double gtd = DenseAlgebra.dot(flatGrad, d);
      if (gtd > -toleranceChange) break;
      int lsFuncEvals;
      boolean optCond = false;
      if (lineSearch != null) {
        final double[] xInit = x;
        final double[] dir = d;
        LineSearch.Line line = tt -> {
          FlatProblem.Point pt = p.evaluate(DenseAlgebra.axpy(tt, dir, xInit));
          return new LineSearch.Sample(tt, pt.f(), pt.g(), DenseAlgebra.dot(pt.g(), dir));
        };
        LineSearch.Result ls = lineSearch.search(line, loss, flatGrad, gtd, t, DenseAlgebra.maxAbs(d));
        loss = ls.f();
        flatGrad = ls.g() != null ? ls.g() : p.evaluate(DenseAlgebra.axpy(ls.t(), d, xInit)).g();
        t = ls.t();
        lsFuncEvals = ls.evaluations();
        x = DenseAlgebra.axpy(t, d, x);
        lossAfter = loss;
        optCond = DenseAlgebra.maxAbs(flatGrad) <= toleranceGrad;
      } else {
        x = DenseAlgebra.axpy(t, d, x);
        lsFuncEvals = 0;
        lossAfter = Double.NaN;
        if (nIter != maxIter) {
          FlatProblem.Point pt = p.evaluate(x);
          loss = pt.f();
          flatGrad = pt.g();
          lossAfter = loss;
          optCond = DenseAlgebra.maxAbs(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.put("func_evals", state.scalar("func_evals", 0) + lsFuncEvals);
      if (nIter == maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (DenseAlgebra.maxAbs(DenseAlgebra.scale(t, d)) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    p.set(x);
    state.put("d", d).put("t", t).put("H_diag", hDiag).put("prev_flat_grad", prevFlatGrad).put("prev_loss", prevLoss);
    for (int i = 0; i < history; i++) state.remove("old_dirs/" + i).remove("old_stps/" + i).remove("ro/" + i);
    for (int i = 0; i < dirs.size(); i++) {
      state.put("old_dirs/" + i, dirs.get(i)).put("old_stps/" + i, stps.get(i)).put("ro/" + i, ros.get(i));
    }
    state.put("history", dirs.size());
    return new Result(state, origLoss, lossAfter, p.evaluations());
  }
}
