package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Independent draws from {@code U(lo, hi)} with an explicit range, whatever the layer's fans
 * ({@code torch.nn.init.uniform_}, Keras {@code RandomUniform}). Variance (hi − lo)²/12.
 */
public record Uniform(double lo, double hi) implements Initializer {
  public Uniform {
    Checks.finite("uniform lo", lo);
    Checks.finite("uniform hi", hi);
    if (!(lo < hi)) throw new IllegalArgumentException("uniform needs lo < hi, got lo=" + lo + ", hi=" + hi);
  }

  @Override
  public String name() {
    return "uniform(lo=" + lo + ", hi=" + hi + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rng.uniform(lo, hi);
    return v;
  }
}
