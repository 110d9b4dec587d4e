package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Independent draws from {@code N(mean, std²)} with an explicit scale, whatever the layer's fans
 * ({@code torch.nn.init.normal_}, Keras {@code RandomNormal}).
 */
public record Normal(double mean, double std) implements Initializer {
  public Normal {
    Checks.finite("normal mean", mean);
    Checks.positive("normal std", std);
  }

  /** {@code N(0, std²)}. */
  public Normal(double std) {
    this(0.0, std);
  }

  @Override
  public String name() {
    return mean == 0.0 ? "normal(std=" + std + ")" : "normal(mean=" + mean + ", std=" + std + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = mean + std * rng.nextGaussian();
    return v;
  }
}
