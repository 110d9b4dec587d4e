package dev.gradus.engine.init;

/**
 * Thin QR factorization by Householder reflections, in plain Java doubles (Golub &amp; Van Loan,
 * <i>Matrix Computations</i>, §5.2): for an m×n matrix A with m ≥ n, A = QR with Q m×n having
 * orthonormal columns and R n×n upper triangular. Backward stable: QᵀQ = I to a few ulps, so
 * {@link Orthogonal} needs no backend.
 */
final class Householder {
  private Householder() {}

  /** Q (m×n) and R (n×n), both row-major. */
  record QR(double[] q, double[] r, int m, int n) {}

  /** QR of the row-major m×n matrix {@code a} (m ≥ n); {@code a} is not modified. */
  static QR qr(double[] a, int m, int n) {
    if (m < n) throw new IllegalArgumentException("thin QR needs rows >= columns, got " + m + "x" + n);
    if (a.length != m * n) throw new IllegalArgumentException("matrix has " + a.length + " values, expected " + m + "x" + n);
    // Column-major working copy: column j is w[j*m .. j*m+m-1], so reflections walk contiguous memory.
    double[] w = new double[m * n];
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
    double[][] reflectors = new double[n][];
    double[] diag = new double[n];
    for (int k = 0; k < n; k++) {
      int col = k * m;
      double norm = norm(w, col + k, m - k);
      if (norm == 0.0) {
        diag[k] = 0.0; // column already zero below the diagonal: no reflection
        continue;
      }
      double x0 = w[col + k];
      // alpha has the sign opposite to x0 so that v0 = x0 − alpha does not cancel
      double alpha = x0 >= 0 ? -norm : norm;
      double[] v = new double[m - k];
      for (int i = k; i < m; i++) v[i - k] = w[col + i];
      v[0] -= alpha;
      double vnorm = norm(v, 0, v.length);
      for (int i = 0; i < v.length; i++) v[i] /= vnorm;
      reflectors[k] = v;
      // A[k:, k+1:] -= 2 v (vᵀ A[k:, k+1:])
      for (int j = k + 1; j < n; j++) reflect(v, w, j * m + k);
      w[col + k] = alpha;
      for (int i = k + 1; i < m; i++) w[col + i] = 0.0;
      diag[k] = alpha;
    }
    double[] r = new double[n * n];
    for (int i = 0; i < n; i++) for (int j = i; j < n; j++) r[i * n + j] = w[j * m + i];
    // Q = H_0 H_1 … H_{n-1} [I_n; 0], applied right to left; H_k touches rows k.. only, and
    // columns j < k of the partial product are still e_j there, so only columns k.. change.
    double[] qc = new double[m * n];
    for (int j = 0; j < n; j++) qc[j * m + j] = 1.0;
    for (int k = n - 1; k >= 0; k--) {
      double[] v = reflectors[k];
      if (v == null) continue;
      for (int j = k; j < n; j++) reflect(v, qc, j * m + k);
    }
    double[] q = new double[m * n];
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) q[i * n + j] = qc[j * m + i];
    return new QR(q, r, m, n);
  }

  /**
   * Q of the QR of {@code a} (row-major m×n, m ≥ n) with the sign correction: column j times
   * sign(R_jj) (sign 0 taken as +1). This is the unique factor whose R has a non-negative
   * diagonal, so it does not depend on the QR algorithm's sign conventions, and for a Gaussian
   * {@code a} it is distributed uniformly (Haar) over matrices with orthonormal columns
   * (Mezzadri 2007, "How to generate random matrices from the classical compact groups").
   */
  static double[] orthonormalColumns(double[] a, int m, int n) {
    QR f = qr(a, m, n);
    double[] q = f.q();
    for (int j = 0; j < n; j++) {
      if (f.r()[j * n + j] < 0) {
        for (int i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
      }
    }
    return q;
  }

  /** x[off .. off+len-1] -= 2 v (v · x[off ..]) for a unit vector v of length len. */
  private static void reflect(double[] v, double[] x, int off) {
    double dot = 0.0;
    for (int i = 0; i < v.length; i++) dot += v[i] * x[off + i];
    double s = 2.0 * dot;
    for (int i = 0; i < v.length; i++) x[off + i] -= s * v[i];
  }

  /** Euclidean norm of x[off .. off+len-1], scaled against overflow and underflow. */
  private static double norm(double[] x, int off, int len) {
    double scale = 0.0;
    for (int i = 0; i < len; i++) scale = Math.max(scale, Math.abs(x[off + i]));
    if (scale == 0.0) return 0.0;
    double s = 0.0;
    for (int i = 0; i < len; i++) {
      double t = x[off + i] / scale;
      s += t * t;
    }
    return scale * Math.sqrt(s);
  }
}
