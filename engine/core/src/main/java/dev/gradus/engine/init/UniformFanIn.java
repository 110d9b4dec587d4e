package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * The book's heuristic (Goodfellow et al., <i>Deep Learning</i>, §8.4): {@code U(−1/√m, 1/√m)} for
 * a layer with m inputs, the "standard" initialization that Glorot &amp; Bengio (2010, eq. 1)
 * compare their normalized one against. (The book's text extraction prints the upper bound as
 * 1/√n; both bounds use m.) Variance 1/(3m): {@code VarianceScaling(1/3, FAN_IN, UNIFORM)}.
 */
public record UniformFanIn() implements Initializer {
  @Override
  public String name() {
    return "uniform-fan-in";
  }

  /** The bound 1/√fanIn. */
  public double bound(int fanIn) {
    return 1.0 / Math.sqrt(Checks.fan(name(), "fanIn", fanIn));
  }

  /** The same distribution as a {@link VarianceScaling}. */
  public VarianceScaling toVarianceScaling() {
    return new VarianceScaling(1.0 / 3.0, VarianceScaling.FanMode.IN, VarianceScaling.Distribution.UNIFORM);
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double b = bound(fanIn);
    double[] v = new double[Initializer.count(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rng.uniform(-b, b);
    return v;
  }
}
