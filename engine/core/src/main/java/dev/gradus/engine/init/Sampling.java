package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/** Shared samplers over {@link RandomStream}. */
final class Sampling {
  private Sampling() {}

  /**
   * Standard deviation of a standard normal truncated to (−2, 2): √(1 − 4φ(2)/(2Φ(2) − 1)). Keras'
   * {@code VarianceScaling} and JAX's {@code variance_scaling} divide the requested standard
   * deviation by it so that the truncated draws have the requested variance.
   */
  static final double TRUNCATED_STD_AT_2 = 0.87962566103423978;

  /**
   * A standard normal conditioned on |z| ≤ {@code bound}. For bound ≥ 1, draws normals and
   * discards those outside (Keras / {@code torch.nn.init.trunc_normal_}'s semantics; acceptance
   * ≥ 68%); for smaller bounds, a uniform proposal on [−bound, bound] accepted with probability
   * exp(−z²/2) (acceptance ≥ e^(−1/2)), which has the same distribution and never stalls.
   */
  static double truncatedStandardNormal(RandomStream rng, double bound) {
    if (bound >= 1.0) {
      while (true) {
        double z = rng.nextGaussian();
        if (Math.abs(z) <= bound) return z;
      }
    }
    while (true) {
      double z = rng.uniform(-bound, bound);
      if (rng.nextDouble() < Math.exp(-0.5 * z * z)) return z;
    }
  }
}
