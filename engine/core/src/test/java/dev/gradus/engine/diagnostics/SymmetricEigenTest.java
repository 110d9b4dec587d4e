package dev.gradus.engine.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradus.engine.init.Orthogonal;
import dev.gradus.engine.random.RandomStream;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
  @Test
  void diagonalMatrixGivesItsDiagonalSorted() {
    double[][] a = {{3, 0, 0}, {0, -1, 0}, {0, 0, 2}};
    assertArrayEquals(new double[] {-1, 2, 3}, SymmetricEigen.eigenvalues(a), 1e-14);
  }

  @Test
  void twoByTwoAndTridiagonalKnownSpectra() {
    assertArrayEquals(new double[] {1, 3}, SymmetricEigen.eigenvalues(new double[][] {{2, 1}, {1, 2}}), 1e-12);
    double r = Math.sqrt(2);
    double[][] t = {{4, 1, 0}, {1, 4, 1}, {0, 1, 4}};
    assertArrayEquals(new double[] {4 - r, 4, 4 + r}, SymmetricEigen.eigenvalues(t), 1e-12);
    // the input is not modified
    assertEquals(1.0, t[0][1]);
  }

  @Test
  void rotatedDiagonalRecoversEigenvalues() {
    int n = 20;
    double[] q = new Orthogonal().sample(new long[] {n, n}, n, n, new RandomStream("eigen", 3));
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) lambda[i] = i - 7.5;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
        a[i][j] = s;
      }
    for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) a[i][j] = a[j][i];
    assertArrayEquals(lambda, SymmetricEigen.eigenvalues(a), 1e-10);
  }

  @Test
  void singularValuesOfTwoByTwoMatchClosedForm() {
    double a = 1.5, b = -0.3, c = 0.7, d = 2.0;
    double s = a * a + b * b + c * c + d * d;
    double det = a * d - b * c;
    double disc = Math.sqrt(s * s - 4 * det * det);
    double[] expected = {Math.sqrt((s + disc) / 2), Math.sqrt((s - disc) / 2)};
    assertArrayEquals(expected, SymmetricEigen.singularValues(new double[][] {{a, b}, {c, d}}), 1e-12);
  }

  @Test
  void singularValuesOfRectangularMatrixBothOrientations() {
    // rows orthogonal with norms 3 and 2 → singular values 3, 2
    double[][] wide = {{3, 0, 0}, {0, 0, 2}};
    assertArrayEquals(new double[] {3, 2}, SymmetricEigen.singularValues(wide), 1e-12);
    double[][] tall = {{3, 0}, {0, 0}, {0, 2}};
    assertArrayEquals(new double[] {3, 2}, SymmetricEigen.singularValues(tall), 1e-12);
  }

  @Test
  void rejectsNonSymmetric() {
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.eigenvalues(new double[][] {{1, 2}, {0, 1}}));
  }
}
