package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Glorot & Bengio (2010) normalized initialization, eq. 16: {@code U(−√6/√(m+n), √6/√(m+n))}
 * for m inputs and n outputs. (The seed text of the book prints the bound as 6/√(m+n); the
 * paper's is √6/√(m+n).) Keeps activation and gradient variance roughly equal across layers.
 */
public record GlorotUniform(double gain) implements Initializer {
  public GlorotUniform() {
    this(1.0);
  }

  @Override
  public String name() {
    return "glorot-uniform";
  }

  public double bound(int fanIn, int fanOut) {
    return gain * Math.sqrt(6.0 / (fanIn + fanOut));
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double b = bound(fanIn, fanOut);
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rng.uniform(-b, b);
    return v;
  }
}
