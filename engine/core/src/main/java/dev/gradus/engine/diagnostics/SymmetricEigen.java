package dev.gradus.engine.diagnostics;

import java.util.Arrays;

/**
 * Eigenvalues of a real symmetric matrix by the cyclic Jacobi method, in plain Java doubles. Each
 * sweep annihilates every off-diagonal pair (p, q) once with a plane rotation; sweeps repeat until
 * the off-diagonal Frobenius norm is below {@code 1e-14} of the total norm (or 100 sweeps). Meant
 * for diagnostics and small second-order methods, on matrices of a few hundred rows (cost about
 * 3n³ per sweep, typically 6-10 sweeps); eigenvectors are accumulated only by {@link #decompose}.
 */
public final class SymmetricEigen {
  private SymmetricEigen() {}

  /** Eigenvalues of the symmetric {@code a} (only read, never modified), in ascending order. */
  public static double[] eigenvalues(double[][] a) {
    return jacobi(a, false).values();
  }

  /**
   * The eigendecomposition {@code A = Q diag(λ) Qᵀ} of the symmetric {@code a}: eigenvalues
   * ascending, orthonormal eigenvectors in the columns of Q (the rotations accumulated).
   */
  public static Decomposition decompose(double[][] a) {
    return jacobi(a, true);
  }

  /** Eigenvalues ascending and, when asked for, the eigenvectors as the columns of {@code vectors} (else null). */
  public record Decomposition(double[] values, double[][] vectors) {
    /** {@code Σ_i f(λ_i) q_i q_iᵀ b}: a function of the matrix applied to {@code b} (a damped inverse, |A|⁻¹). */
    public double[] apply(java.util.function.DoubleUnaryOperator f, double[] b) {
      if (vectors == null) throw new IllegalStateException("eigenvectors were not computed; use SymmetricEigen.decompose");
      int n = values.length;
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        double c = 0;
        for (int r = 0; r < n; r++) c += vectors[r][i] * b[r];
        c *= f.applyAsDouble(values[i]);
        for (int r = 0; r < n; r++) out[r] += c * vectors[r][i];
      }
      return out;
    }
  }

  private static Decomposition jacobi(double[][] a, boolean withVectors) {
    int n = a.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      if (a[i].length != n) throw new IllegalArgumentException("matrix must be square, row " + i + " has " + a[i].length + " columns, expected " + n);
      m[i] = a[i].clone();
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double d = Math.abs(m[i][j] - m[j][i]);
        if (d > 1e-9 * (1 + Math.abs(m[i][j]) + Math.abs(m[j][i]))) {
          throw new IllegalArgumentException("matrix is not symmetric at (" + i + ", " + j + ")");
        }
      }
    }
    double[][] v = null;
    if (withVectors) {
      v = new double[n][n];
      for (int i = 0; i < n; i++) v[i][i] = 1;
    }
    double total = 0;
    for (double[] row : m) for (double x : row) total += x * x;
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
      if (off <= 1e-28 * total || off == 0) break;
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = m[p][q];
          if (apq == 0) continue;
          double app = m[p][p];
          double aqq = m[q][q];
          // rotation angle: tan(2θ) = 2 a_pq / (a_qq − a_pp); t = tan θ, the smaller root
          double theta = (aqq - app) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) t = 1;
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = m[k][p];
            double akq = m[k][q];
            m[k][p] = c * akp - s * akq;
            m[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = m[p][k];
            double aqk = m[q][k];
            m[p][k] = c * apk - s * aqk;
            m[q][k] = s * apk + c * aqk;
          }
          m[p][q] = 0;
          m[q][p] = 0;
          if (v != null) {
            for (int k = 0; k < n; k++) {
              double vkp = v[k][p];
              double vkq = v[k][q];
              v[k][p] = c * vkp - s * vkq;
              v[k][q] = s * vkp + c * vkq;
            }
          }
        }
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Double.compare(m[x][x], m[y][y]));
    double[] values = new double[n];
    double[][] vectors = v == null ? null : new double[n][n];
    for (int k = 0; k < n; k++) {
      values[k] = m[order[k]][order[k]];
      if (v != null) for (int r = 0; r < n; r++) vectors[r][k] = v[r][order[k]];
    }
    return new Decomposition(values, vectors);
  }

  /**
   * Singular values of the {@code rows × cols} matrix {@code j}, descending: square roots of the
   * eigenvalues of the smaller Gram matrix (J·Jᵀ when rows ≤ cols, else Jᵀ·J), with tiny negative
   * round-off eigenvalues clamped to zero. There are min(rows, cols) of them.
   */
  public static double[] singularValues(double[][] j) {
    int rows = j.length;
    int cols = j[0].length;
    boolean byRows = rows <= cols;
    int k = byRows ? rows : cols;
    double[][] g = new double[k][k];
    if (byRows) {
      for (int a = 0; a < rows; a++) {
        for (int b = a; b < rows; b++) {
          double s = 0;
          double[] ra = j[a];
          double[] rb = j[b];
          for (int c = 0; c < cols; c++) s += ra[c] * rb[c];
          g[a][b] = s;
          g[b][a] = s;
        }
      }
    } else {
      for (int r = 0; r < rows; r++) {
        double[] row = j[r];
        for (int a = 0; a < cols; a++) {
          double va = row[a];
          if (va == 0) continue;
          for (int b = a; b < cols; b++) g[a][b] += va * row[b];
        }
      }
      for (int a = 0; a < cols; a++) for (int b = 0; b < a; b++) g[a][b] = g[b][a];
    }
    double[] ev = eigenvalues(g);
    double[] sv = new double[k];
    for (int i = 0; i < k; i++) sv[i] = Math.sqrt(Math.max(0, ev[k - 1 - i]));
    return sv;
  }
}
