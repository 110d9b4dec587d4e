package dev.gradus.engine.optim.batch;

/** Small dense linear algebra on double arrays for the batch methods (n up to a few thousand). */
public final class DenseAlgebra {
  private DenseAlgebra() {}

  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  public static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  public static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) m = Math.max(m, Math.abs(v));
    return m;
  }

  public static double sumAbs(double[] a) {
    double m = 0;
    for (double v : a) m += Math.abs(v);
    return m;
  }

  /** {@code y + α x}, each element one fused multiply-add (as torch's {@code add_(x, alpha=α)}). */
  public static double[] axpy(double alpha, double[] x, double[] y) {
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) out[i] = Math.fma(alpha, x[i], y[i]);
    return out;
  }

  public static double[] scale(double alpha, double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = alpha * x[i];
    return out;
  }

  public static double[] sub(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[i] - b[i];
    return out;
  }

  public static double[] neg(double[] a) {
    return scale(-1.0, a);
  }

  public static double[] matVec(double[][] m, double[] v) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) out[i] = dot(m[i], v);
    return out;
  }

  public static double[][] identity(int n) {
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) m[i][i] = 1;
    return m;
  }

  public static double[] flatten(double[][] m) {
    int n = m.length;
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) System.arraycopy(m[i], 0, out, i * n, n);
    return out;
  }

  public static double[][] square(double[] flat, int n) {
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) System.arraycopy(flat, i * n, m[i], 0, n);
    return m;
  }

  /**
   * The Cholesky factor L (lower, {@code A = L Lᵀ}) of the symmetric {@code a}, or null when
   * {@code a} is not numerically positive definite.
   */
  public static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int j = 0; j < n; j++) {
      double d = a[j][j];
      for (int k = 0; k < j; k++) d -= l[j][k] * l[j][k];
      if (!(d > 0)) return null;
      l[j][j] = Math.sqrt(d);
      for (int i = j + 1; i < n; i++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
        l[i][j] = s / l[j][j];
      }
    }
    return l;
  }

  /** Solves {@code L Lᵀ x = b}. */
  public static double[] choleskySolve(double[][] l, double[] b) {
    int n = l.length;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) s -= l[i][k] * y[k];
      y[i] = s / l[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = y[i];
      for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k];
      x[i] = s / l[i][i];
    }
    return x;
  }

  /** {@code A + αI}, a new matrix. */
  public static double[][] plusIdentity(double[][] a, double alpha) {
    int n = a.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = a[i].clone();
      m[i][i] += alpha;
    }
    return m;
  }

  /**
   * Conjugate gradient on {@code A x = b} for a symmetric positive (semi-)definite A given by
   * products: from {@code x0} (null: zeros), stopping when {@code ‖r‖ ≤ relTol·‖b‖}, after
   * {@code maxIter} iterations, or on non-positive curvature {@code pᵀAp ≤ 0} (then the iterate
   * so far is returned; the direction itself if that happens in the first iteration).
   */
  public static CgResult conjugateGradient(java.util.function.UnaryOperator<double[]> a, double[] b, double[] x0, double relTol,
      int maxIter) {
    int n = b.length;
    double[] x = x0 == null ? new double[n] : x0.clone();
    double[] r = x0 == null ? b.clone() : sub(b, a.apply(x));
    int products = x0 == null ? 0 : 1;
    double[] p = r.clone();
    double rr = dot(r, r);
    double bnorm = norm(b);
    int it = 0;
    String reason = "max iterations";
    while (true) {
      if (Math.sqrt(rr) <= relTol * bnorm) {
        reason = "tolerance";
        break;
      }
      if (it >= maxIter) break;
      double[] ap = a.apply(p);
      products++;
      double pap = dot(p, ap);
      if (!(pap > 0)) {
        if (it == 0 && x0 == null) x = p.clone();
        reason = "non-positive curvature";
        break;
      }
      double alpha = rr / pap;
      for (int i = 0; i < n; i++) {
        x[i] += alpha * p[i];
        r[i] -= alpha * ap[i];
      }
      double rrNew = dot(r, r);
      double beta = rrNew / rr;
      rr = rrNew;
      for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
      it++;
    }
    return new CgResult(x, it, products, Math.sqrt(rr) / Math.max(bnorm, Double.MIN_NORMAL), reason);
  }

  /** What {@link #conjugateGradient} found: the solution, iterations, products used, final relative residual, why it stopped. */
  public record CgResult(double[] x, int iterations, int products, double relativeResidual, String reason) {}
}
