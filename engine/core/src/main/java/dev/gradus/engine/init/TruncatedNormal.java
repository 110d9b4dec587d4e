package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * {@code N(mean, std²)} conditioned on lying within {@code bound} standard deviations of the mean:
 * draws outside {@code mean ± bound·std} are discarded and drawn again (Keras
 * {@code TruncatedNormal}, default bound 2). {@code torch.nn.init.trunc_normal_(mean, std, a, b)}
 * takes absolute cut-offs; {@code a = mean − bound·std}, {@code b = mean + bound·std} is the same
 * distribution.
 *
 * <p>{@code std} is the standard deviation of the normal <em>before</em> truncation, as in Keras
 * and PyTorch: the draws' standard deviation is smaller (×0.8796 for bound 2). {@link
 * VarianceScaling} with {@link VarianceScaling.Distribution#TRUNCATED_NORMAL} corrects for that.
 */
public record TruncatedNormal(double mean, double std, double bound) implements Initializer {
  public static final double DEFAULT_BOUND = 2.0;

  public TruncatedNormal {
    Checks.finite("truncated-normal mean", mean);
    Checks.positive("truncated-normal std", std);
    Checks.positive("truncated-normal bound (in standard deviations)", bound);
  }

  /** Truncated at ±2 standard deviations. */
  public TruncatedNormal(double mean, double std) {
    this(mean, std, DEFAULT_BOUND);
  }

  @Override
  public String name() {
    return "truncated-normal(mean=" + mean + ", std=" + std + (bound == DEFAULT_BOUND ? "" : ", bound=" + bound) + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = mean + std * Sampling.truncatedStandardNormal(rng, bound);
    return v;
  }
}
