package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Glorot &amp; Bengio (2010) normalized initialization, eq. 16: {@code U(−√6/√(m+n), √6/√(m+n))}
 * for m inputs and n outputs, times {@code gain} ({@code torch.nn.init.xavier_uniform_(gain)}).
 * (The seed text of the book prints the bound as 6/√(m+n); the paper's is √6/√(m+n).) Keeps
 * activation and gradient variance roughly equal across layers. Variance gain²·2/(m+n): the same
 * distribution as {@code VarianceScaling(gain², AVERAGE, UNIFORM)} ({@link #toVarianceScaling()}),
 * kept as its own type because specs and models name it.
 */
public record GlorotUniform(double gain) implements Initializer {
  public GlorotUniform {
    Checks.positive("glorot-uniform gain", gain);
  }

  public GlorotUniform() {
    this(1.0);
  }

  @Override
  public String name() {
    return gain == 1.0 ? "glorot-uniform" : "glorot-uniform(gain=" + gain + ")";
  }

  public double bound(int fanIn, int fanOut) {
    Checks.fan("glorot-uniform", "fanIn", fanIn);
    Checks.fan("glorot-uniform", "fanOut", fanOut);
    return gain * Math.sqrt(6.0 / (fanIn + fanOut));
  }

  /** The same distribution as a {@link VarianceScaling} (scale = gain²). */
  public VarianceScaling toVarianceScaling() {
    return new VarianceScaling(gain * gain, VarianceScaling.FanMode.AVERAGE, VarianceScaling.Distribution.UNIFORM);
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double b = bound(fanIn, fanOut);
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rng.uniform(-b, b);
    return v;
  }
}
