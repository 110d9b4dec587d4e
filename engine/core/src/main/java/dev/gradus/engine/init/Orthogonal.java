package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * A random (semi-)orthogonal matrix times {@code gain}: Saxe, McClelland &amp; Ganguli (2013),
 * "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks", as
 * {@code torch.nn.init.orthogonal_} draws it. The parameter is viewed as a {@code rows × cols}
 * matrix ({@code rows = shape[0]}, {@code cols} = the product of the other dimensions); a
 * Gaussian matrix of that shape (transposed when rows &lt; cols) is factored A = QR by
 * Householder reflections in double precision, Q's columns are multiplied by sign(diag(R)) so
 * that Q is Haar-distributed and does not depend on the QR's sign conventions, and Q is
 * transposed back. So the columns are orthonormal when rows ≥ cols (WᵀW = gain²·I) and the rows
 * are when rows &lt; cols (WWᵀ = gain²·I), to double rounding (about 1e-15), far below float32's.
 * Needs no backend and ignores the fans.
 */
public record Orthogonal(double gain) implements Initializer {
  public Orthogonal {
    Checks.positive("orthogonal gain", gain);
  }

  public Orthogonal() {
    this(1.0);
  }

  @Override
  public String name() {
    return gain == 1.0 ? "orthogonal" : "orthogonal(gain=" + gain + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    int rows = Checks.rows("orthogonal", shape);
    int cols = Checks.cols(shape);
    double[] g = new double[rows * cols];
    for (int i = 0; i < g.length; i++) g[i] = rng.nextGaussian(); // row-major rows × cols, like torch
    double[] w;
    if (rows >= cols) {
      w = Householder.orthonormalColumns(g, rows, cols);
    } else {
      double[] q = Householder.orthonormalColumns(transpose(g, rows, cols), cols, rows); // cols × rows
      w = transpose(q, cols, rows);
    }
    if (gain != 1.0) for (int i = 0; i < w.length; i++) w[i] *= gain;
    return w;
  }

  /** The row-major transpose of row-major {@code a} (m×n). */
  static double[] transpose(double[] a, int m, int n) {
    double[] t = new double[a.length];
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
    return t;
  }
}
