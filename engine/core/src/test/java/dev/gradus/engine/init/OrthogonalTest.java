package dev.gradus.engine.init;

import static dev.gradus.engine.init.BasicInitializersTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.random.RandomStream;
import org.junit.jupiter.api.Test;

class OrthogonalTest {
  /** max |(WᵀW or WWᵀ) − g²I| over the Gram matrix of the smaller side (columns if rows ≥ cols, else rows). */
  static double gramError(double[] w, int rows, int cols, double gain) {
    boolean byColumns = rows >= cols;
    int k = byColumns ? cols : rows;
    double worst = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        double s = 0;
        if (byColumns) for (int i = 0; i < rows; i++) s += w[i * cols + a] * w[i * cols + b];
        else for (int j = 0; j < cols; j++) s += w[a * cols + j] * w[b * cols + j];
        worst = Math.max(worst, Math.abs(s - (a == b ? gain * gain : 0.0)));
      }
    }
    return worst;
  }

  @Test
  void squareTallWideAndHigherRankShapesAreOrthonormalToDoublePrecision() {
    long[][] shapes = {{64, 64}, {100, 30}, {30, 100}, {1, 10}, {10, 1}, {4, 3, 5}, {7, 2, 2}};
    for (double gain : new double[] {1.0, 5.0 / 3.0}) {
      for (long[] shape : shapes) {
        int rows = (int) shape[0];
        int cols = Initializer.count(shape) / rows;
        double[] w = new Orthogonal(gain).sample(shape, cols, rows, new RandomStream("init", 3));
        assertEquals(rows * cols, w.length);
        double err = gramError(w, rows, cols, gain);
        assertTrue(err < 1e-10, "gram error " + err + " for shape " + java.util.Arrays.toString(shape) + ", gain " + gain);
      }
    }
  }

  @Test
  void householderQrReconstructsWithTriangularRAndOrthonormalQ() {
    int m = 30, n = 12;
    RandomStream rng = new RandomStream("qr", 5);
    double[] a = new double[m * n];
    for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
    a[0] = 0.0; // a zero leading entry takes the alpha = −norm branch
    Householder.QR f = Householder.qr(a, m, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += f.q()[i * n + k] * f.r()[k * n + j];
        assertEquals(a[i * n + j], s, 1e-12, "QR != A at " + i + "," + j);
      }
    }
    for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) assertEquals(0.0, f.r()[i * n + j], 0.0);
    assertTrue(gramError(f.q(), m, n, 1.0) < 1e-13);
  }

  /**
   * The sign correction makes Q the unique orthonormal factor whose R has a positive diagonal, so
   * it equals the Gram–Schmidt factor of the same matrix, whatever the QR's sign conventions.
   */
  @Test
  void signCorrectedFactorIsTheUniqueOneAndEqualsGramSchmidt() {
    int m = 20, n = 8;
    RandomStream rng = new RandomStream("qr", 6);
    double[] a = new double[m * n];
    for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
    double[] q = Householder.orthonormalColumns(a, m, n);
    double[] gs = modifiedGramSchmidt(a, m, n);
    for (int i = 0; i < q.length; i++) assertEquals(gs[i], q[i], 1e-10);
    // and Orthogonal draws its Gaussian row-major, like torch, then takes this factor
    double[] w = new Orthogonal().sample(new long[] {m, n}, n, m, new RandomStream("qr", 6));
    assertArrayEquals(q, w);
    // a wide one is the transpose of the factor of the transposed draws
    RandomStream r2 = new RandomStream("qr", 7);
    double[] g = new double[n * m];
    for (int i = 0; i < g.length; i++) g[i] = r2.nextGaussian();
    double[] expected = Orthogonal.transpose(modifiedGramSchmidt(Orthogonal.transpose(g, n, m), m, n), m, n);
    double[] wide = new Orthogonal().sample(new long[] {n, m}, m, n, new RandomStream("qr", 7));
    for (int i = 0; i < wide.length; i++) assertEquals(expected[i], wide[i], 1e-10);
  }

  /**
   * With the sign correction, Q is Haar-distributed: E[W₀₀] = 0 and E[W₀₀²] = 1/n. Without it,
   * Householder QR gives W₀₀ = −|a₀₀|/‖a₀‖ < 0 always, mean ≈ −0.5 for n = 3.
   */
  @Test
  void signCorrectionGivesHaarEntries() {
    int n = 3, draws = 4000;
    RandomStream rng = new RandomStream("haar", 8);
    double[] w00 = new double[draws];
    double[] w12 = new double[draws];
    for (int t = 0; t < draws; t++) {
      double[] w = new Orthogonal().sample(new long[] {n, n}, n, n, rng);
      w00[t] = w[0];
      w12[t] = w[1 * n + 2];
    }
    // each entry of a Haar n×n orthogonal matrix: mean 0, variance 1/n, E[x⁴] = 3/(n(n+2))
    double mu4 = 3.0 / (n * (n + 2.0));
    Stats.assertMoments("W00", w00, 0.0, 1.0 / n, mu4);
    Stats.assertMoments("W12", w12, 0.0, 1.0 / n, mu4);
  }

  @Test
  void validationAndName() {
    assertMessage(() -> new Orthogonal().sample(new long[] {10}, 1, 10, new RandomStream("x", 1)),
        "orthogonal initialization is for weight matrices (2 or more dimensions), got shape [10]");
    assertMessage(() -> new Orthogonal(0), "orthogonal gain must be > 0 and finite, got 0.0");
    assertEquals("orthogonal", new Orthogonal().name());
    assertEquals("orthogonal(gain=2.0)", new Orthogonal(2).name());
  }

  /** Reference: modified Gram–Schmidt, whose R has a positive diagonal by construction. */
  static double[] modifiedGramSchmidt(double[] a, int m, int n) {
    double[] q = a.clone();
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
        for (int i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
      }
      double norm = 0;
      for (int i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
      norm = Math.sqrt(norm);
      for (int i = 0; i < m; i++) q[i * n + j] /= norm;
    }
    return q;
  }
}
