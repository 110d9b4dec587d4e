package dev.gradus.engine.init;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;

/**
 * Sample moments and confidence-bound assertions for the statistical tests. With n independent
 * draws of a distribution with variance σ² and fourth central moment μ₄, the sample mean has
 * standard error σ/√n and the sample variance √((μ₄ − σ⁴)/n) (to O(1/n)); the tests accept
 * within 4 standard errors (two-sided miss probability ≈ 6e-5 for a correct sampler; the seeds
 * are fixed, so a passing test stays passing).
 */
final class Stats {
  private Stats() {}

  static final double Z = 4.0;

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }

  static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return s / (v.length - 1);
  }

  /** Asserts mean and variance of {@code v} are within 4 standard errors of {@code mean}, {@code variance}. */
  static void assertMoments(String what, double[] v, double mean, double variance, double fourthCentral) {
    int n = v.length;
    double seMean = Math.sqrt(variance / n);
    double seVar = Math.sqrt((fourthCentral - variance * variance) / n);
    assertEquals(mean, mean(v), Z * seMean, what + ": sample mean vs " + mean + " (n=" + n + ", 4 SE = " + Z * seMean + ")");
    assertEquals(variance, variance(v), Z * seVar, what + ": sample variance vs " + variance + " (n=" + n + ", 4 SE = " + Z * seVar + ")");
  }

  /** Uniform on (−b, b): σ² = b²/3, μ₄ = b⁴/5. */
  static void assertUniform(String what, double[] v, double b) {
    assertMoments(what, v, 0.0, b * b / 3.0, Math.pow(b, 4) / 5.0);
  }

  /** N(mean, σ²): μ₄ = 3σ⁴. */
  static void assertNormal(String what, double[] v, double mean, double variance) {
    assertMoments(what, v, mean, variance, 3.0 * variance * variance);
  }

  /** σ·Z with Z standard normal truncated to (−b, b); moments by quadrature of the density. */
  static void assertTruncatedNormal(String what, double[] v, double mean, double std, double b) {
    double mass = simpson(z -> phi(z), -b, b, 20_000);
    double m2 = simpson(z -> z * z * phi(z), -b, b, 20_000) / mass;
    double m4 = simpson(z -> Math.pow(z, 4) * phi(z), -b, b, 20_000) / mass;
    assertMoments(what, v, mean, std * std * m2, Math.pow(std, 4) * m4);
  }

  static double phi(double z) {
    return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  }

  /** Composite Simpson's rule with {@code intervals} (even) intervals. */
  static double simpson(DoubleUnaryOperator f, double a, double b, int intervals) {
    double h = (b - a) / intervals;
    double s = f.applyAsDouble(a) + f.applyAsDouble(b);
    for (int i = 1; i < intervals; i++) s += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(a + i * h);
    return s * h / 3;
  }
}
