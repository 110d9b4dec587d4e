package dev.gradus.engine.optim.batch;

/**
 * A step length along a descent direction {@code d} from {@code x}: a search over
 * {@code φ(t) = J(x + t d)} with {@code φ'(t) = ∇J(x + t d)·d}. Implementations:
 * {@link #armijo backtracking Armijo}, {@link #strongWolfe strong Wolfe} (bracketing and zoom with
 * cubic interpolation, as torch.optim.LBFGS and minFunc do it), {@link #exact} (secant
 * iterations on φ', exact for quadratics) and {@link #fixed} (no search).
 */
public interface LineSearch {
  /** The objective along the line. */
  interface Line {
    /** {@code φ(t)} and the gradient {@code ∇J(x + t d)} (a full vector). */
    Sample at(double t);

    /** {@code φ(t)} alone (defaults to {@link #at}). */
    default double value(double t) {
      return at(t).f();
    }
  }

  /** A point on the line: t, φ(t), the gradient there and φ'(t). */
  record Sample(double t, double f, double[] g, double dphi) {}

  /**
   * The accepted step: its length, φ there, the gradient there (null when the search did not
   * compute it: the caller evaluates), the number of evaluations along the line, and whether the
   * search's conditions hold at t (false: it gave up and returns its best point).
   */
  record Result(double t, double f, double[] g, int evaluations, boolean satisfied) {}

  /**
   * @param f0 φ(0)
   * @param g0 the gradient at t = 0
   * @param dphi0 φ'(0) = g0·d, negative for a descent direction
   * @param t0 the first trial step
   * @param dMaxAbs {@code max |d_i|}, for tolerances on the change of x
   */
  Result search(Line line, double f0, double[] g0, double dphi0, double t0, double dMaxAbs);

  String describe();

  /** Backtracking: t = t0, ρ t0, ρ² t0, … until {@code φ(t) ≤ φ(0) + c1 t φ'(0)} (Nocedal & Wright Alg. 3.1). */
  static LineSearch armijo(double c1, double shrink, int maxEvaluations) {
    if (!(c1 > 0 && c1 < 1)) throw new IllegalArgumentException("c1 must be in (0, 1), got " + c1);
    if (!(shrink > 0 && shrink < 1)) throw new IllegalArgumentException("shrink must be in (0, 1), got " + shrink);
    return new LineSearch() {
      @Override
      public Result search(Line line, double f0, double[] g0, double dphi0, double t0, double dMaxAbs) {
        double t = t0;
        double bestT = 0;
        double bestF = f0;
        for (int k = 1; k <= maxEvaluations; k++) {
          double f = line.value(t);
          if (f <= f0 + c1 * t * dphi0) return new Result(t, f, null, k, true);
          if (f < bestF) {
            bestF = f;
            bestT = t;
          }
          t *= shrink;
        }
        return new Result(bestT, bestF, bestT == 0 ? g0 : null, maxEvaluations, false);
      }

      @Override
      public String describe() {
        return "armijo(c1=" + c1 + ", shrink=" + shrink + ")";
      }
    };
  }

  /** Armijo with c1 = 1e-4, halving, at most 30 evaluations. */
  static LineSearch armijo() {
    return armijo(1e-4, 0.5, 30);
  }

  /** Strong Wolfe with torch's defaults: c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9, at most 25 evaluations. */
  static LineSearch strongWolfe() {
    return strongWolfe(1e-4, 0.9, 1e-9, 25);
  }

  /**
   * A step satisfying the strong Wolfe conditions {@code φ(t) ≤ φ(0) + c1 t φ'(0)} and
   * {@code |φ'(t)| ≤ c2 |φ'(0)|}: Nocedal & Wright Alg. 3.5 (bracketing, extrapolating by cubic
   * interpolation within [t + 0.01(t − t_prev), 10 t]) and Alg. 3.6 (zoom by safeguarded cubic
   * interpolation), step for step as torch.optim.LBFGS's {@code _strong_wolfe} (torch 1.13,
   * itself from minFunc): the zoom stops when the bracket is shorter than
   * {@code toleranceChange / max|d_i|}, and when {@code maxEvaluations} are spent the better
   * bracket end is returned.
   */
  static LineSearch strongWolfe(double c1, double c2, double toleranceChange, int maxEvaluations) {
    if (!(c1 > 0 && c1 < c2 && c2 < 1)) throw new IllegalArgumentException("need 0 < c1 < c2 < 1, got c1=" + c1 + " c2=" + c2);
    return new StrongWolfe(c1, c2, toleranceChange, maxEvaluations);
  }

  /**
   * An (almost) exact minimization along the line for smooth, near-quadratic φ: secant
   * iterations on φ' from t = 0 and t0 until {@code |φ'(t)| ≤ relTol |φ'(0)|}. Exact after one
   * secant step when J is quadratic. Not safeguarded: meant for tests and for the conjugate
   * gradient method's textbook setting.
   */
  static LineSearch exact(double relTol, int maxEvaluations) {
    return new LineSearch() {
      @Override
      public Result search(Line line, double f0, double[] g0, double dphi0, double t0, double dMaxAbs) {
        double tPrev = 0;
        double dPrev = dphi0;
        double t = t0;
        Sample s = null;
        for (int k = 1; k <= maxEvaluations; k++) {
          s = line.at(t);
          if (Math.abs(s.dphi()) <= relTol * Math.abs(dphi0)) return new Result(t, s.f(), s.g(), k, true);
          double denom = s.dphi() - dPrev;
          if (denom == 0 || !Double.isFinite(denom)) return new Result(t, s.f(), s.g(), k, false);
          double next = t - s.dphi() * (t - tPrev) / denom;
          tPrev = t;
          dPrev = s.dphi();
          t = next;
        }
        return new Result(s.t(), s.f(), s.g(), maxEvaluations, false);
      }

      @Override
      public String describe() {
        return "exact(relTol=" + relTol + ")";
      }
    };
  }

  /** No search: the step is t0 (one evaluation there). */
  static LineSearch fixed() {
    return new LineSearch() {
      @Override
      public Result search(Line line, double f0, double[] g0, double dphi0, double t0, double dMaxAbs) {
        Sample s = line.at(t0);
        return new Result(t0, s.f(), s.g(), 1, true);
      }

      @Override
      public String describe() {
        return "fixed";
      }
    };
  }

  /** The strong Wolfe search, see {@link LineSearch#strongWolfe(double, double, double, int)}. */
  record StrongWolfe(double c1, double c2, double toleranceChange, int maxEvaluations) implements LineSearch {
    @Override
    public String describe() {
      return "strong-wolfe(c1=" + c1 + ", c2=" + c2 + ")";
    }

    /**
     * The minimizer of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to
     * [lo, hi]; the midpoint when the cubic has no minimizer (torch's {@code _cubic_interpolate}).
     */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
      double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
      double d2Square = d1 * d1 - g1 * g2;
      if (d2Square >= 0) {
        double d2 = Math.sqrt(d2Square);
        double minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
        return Math.min(Math.max(minPos, lo), hi);
      }
      return (lo + hi) / 2.0;
    }

    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
      return cubicInterpolate(x1, f1, g1, x2, f2, g2, Math.min(x1, x2), Math.max(x1, x2));
    }

    @Override
    public Result search(Line line, double f, double[] g, double gtd, double t, double dNorm) {
      Sample s = line.at(t);
      double fNew = s.f();
      double[] gNew = s.g();
      double gtdNew = s.dphi();
      int evals = 1;
      double tPrev = 0;
      double fPrev = f;
      double[] gPrev = g;
      double gtdPrev = gtd;
      boolean done = false;
      int lsIter = 0;
      double[] bracket = null;
      double[] bracketF = null;
      double[][] bracketG = null;
      double[] bracketGtd = null;
      while (lsIter < maxEvaluations) {
        if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
          bracket = new double[] {tPrev, t};
          bracketF = new double[] {fPrev, fNew};
          bracketG = new double[][] {gPrev, gNew};
          bracketGtd = new double[] {gtdPrev, gtdNew};
          break;
        }
        if (Math.abs(gtdNew) <= -c2 * gtd) {
          bracket = new double[] {t};
          bracketF = new double[] {fNew};
          bracketG = new double[][] {gNew};
          done = true;
          break;
        }
        if (gtdNew >= 0) {
          bracket = new double[] {tPrev, t};
          bracketF = new double[] {fPrev, fNew};
          bracketG = new double[][] {gPrev, gNew};
          bracketGtd = new double[] {gtdPrev, gtdNew};
          break;
        }
        // extrapolate
        double minStep = t + 0.01 * (t - tPrev);
        double maxStep = t * 10;
        double tmp = t;
        t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
        tPrev = tmp;
        fPrev = fNew;
        gPrev = gNew;
        gtdPrev = gtdNew;
        s = line.at(t);
        fNew = s.f();
        gNew = s.g();
        gtdNew = s.dphi();
        evals++;
        lsIter++;
      }
      if (lsIter == maxEvaluations) {
        bracket = new double[] {0, t};
        bracketF = new double[] {f, fNew};
        bracketG = new double[][] {g, gNew};
        bracketGtd = new double[] {gtd, gtdNew};
      }
      // zoom
      boolean insufProgress = false;
      int lowPos = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1;
      int highPos = 1 - lowPos;
      while (!done && lsIter < maxEvaluations) {
        if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
        t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
        double hi = Math.max(bracket[0], bracket[1]);
        double lo = Math.min(bracket[0], bracket[1]);
        double eps = 0.1 * (hi - lo);
        if (Math.min(hi - t, t - lo) < eps) {
          if (insufProgress || t >= hi || t <= lo) {
            t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
            insufProgress = false;
          } else {
            insufProgress = true;
          }
        } else {
          insufProgress = false;
        }
        s = line.at(t);
        fNew = s.f();
        gNew = s.g();
        gtdNew = s.dphi();
        evals++;
        lsIter++;
        if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
          bracket[highPos] = t;
          bracketF[highPos] = fNew;
          bracketG[highPos] = gNew;
          bracketGtd[highPos] = gtdNew;
          lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
          highPos = 1 - lowPos;
        } else {
          if (Math.abs(gtdNew) <= -c2 * gtd) {
            done = true;
          } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
            bracket[highPos] = bracket[lowPos];
            bracketF[highPos] = bracketF[lowPos];
            bracketG[highPos] = bracketG[lowPos];
            bracketGtd[highPos] = bracketGtd[lowPos];
          }
          bracket[lowPos] = t;
          bracketF[lowPos] = fNew;
          bracketG[lowPos] = gNew;
          bracketGtd[lowPos] = gtdNew;
        }
      }
      // a single-element bracket means the bracketing phase already satisfied the conditions
      if (bracket.length == 1) lowPos = 0;
      return new Result(bracket[lowPos], bracketF[lowPos], bracketG[lowPos], evals, done);
    }
  }
}
