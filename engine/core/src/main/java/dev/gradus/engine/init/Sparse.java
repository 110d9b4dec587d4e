package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Sparse initialization (Martens 2010, "Deep learning via Hessian-free optimization", §5): each
 * unit (row of the {@code [units, inputs]} weight) gets exactly {@code k} non-zero incoming
 * weights (Martens: 15), at positions drawn uniformly without replacement and independently per
 * unit, with values from N(0, 1) times {@code scale}; every other weight is 0. The total input
 * of a unit then does not shrink as the layer widens, while units still differ from each other.
 * Higher-rank weights are viewed as {@code [shape[0], rest]}.
 */
public record Sparse(int k, double scale) implements Initializer {
  public static final int DEFAULT_K = 15;

  public Sparse {
    if (k < 1) throw new IllegalArgumentException("sparse k (non-zero weights per unit) must be >= 1, got " + k);
    Checks.positive("sparse scale", scale);
  }

  /** Martens' setting: 15 non-zero N(0, 1) weights per unit. */
  public Sparse() {
    this(DEFAULT_K, 1.0);
  }

  public Sparse(int k) {
    this(k, 1.0);
  }

  @Override
  public String name() {
    if (k == DEFAULT_K && scale == 1.0) return "sparse";
    return "sparse(k=" + k + (scale == 1.0 ? "" : ", scale=" + scale) + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    int rows = Checks.rows("sparse", shape);
    int cols = Checks.cols(shape);
    if (k > cols) {
      throw new IllegalArgumentException("sparse initialization gives each unit k=" + k
          + " non-zero incoming weights, but each unit here has only " + cols + " inputs (fan-in " + fanIn + ")");
    }
    double[] v = new double[rows * cols];
    int[] positions = new int[cols];
    for (int j = 0; j < cols; j++) positions[j] = j;
    for (int r = 0; r < rows; r++) {
      // partial Fisher–Yates: positions[0..k-1] become a uniform k-subset, whatever the array's order
      for (int i = 0; i < k; i++) {
        int j = i + rng.nextInt(cols - i);
        int t = positions[i];
        positions[i] = positions[j];
        positions[j] = t;
      }
      for (int i = 0; i < k; i++) v[r * cols + positions[i]] = scale * rng.nextGaussian();
    }
    return v;
  }
}
