package dev.gradus.engine.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.random.RandomStream;
import org.junit.jupiter.api.Test;

/** Explicit-scale families (uniform, normal, truncated normal), the book's fan-in heuristic and constants. */
class BasicInitializersTest {
  private static final long[] SHAPE = {200, 500}; // 100,000 draws
  private static final int FAN_IN = 500, FAN_OUT = 200;

  private static double[] draw(Initializer init, long seed) {
    return init.sample(SHAPE, FAN_IN, FAN_OUT, new RandomStream("init", seed));
  }

  @Test
  void uniformHasItsRangeMeanAndVariance() {
    double[] v = draw(new Uniform(-0.5, 1.5), 1);
    for (double x : v) assertTrue(x >= -0.5 && x < 1.5, "outside [lo, hi): " + x);
    // U(lo, hi) = 0.5 + U(−1, 1): σ² = 1/3, μ₄ = 1/5
    double[] centered = v.clone();
    for (int i = 0; i < v.length; i++) centered[i] -= 0.5;
    Stats.assertUniform("U(-0.5, 1.5)", centered, 1.0);
    assertEquals("uniform(lo=-0.5, hi=1.5)", new Uniform(-0.5, 1.5).name());
  }

  @Test
  void normalHasItsMeanAndVariance() {
    Stats.assertNormal("N(0.3, 0.05^2)", draw(new Normal(0.3, 0.05), 2), 0.3, 0.0025);
    Stats.assertNormal("N(0, 2^2)", draw(new Normal(2.0), 3), 0.0, 4.0);
  }

  @Test
  void truncatedNormalStaysWithinItsBoundAndHasTheTruncatedMoments() {
    TruncatedNormal t = new TruncatedNormal(1.0, 0.1);
    double[] v = draw(t, 4);
    for (double x : v) assertTrue(Math.abs(x - 1.0) <= 0.2, "outside mean ± 2 std: " + x);
    Stats.assertTruncatedNormal("truncated N(1, 0.1^2) at 2 std", v, 1.0, 0.1, 2.0);
    // a narrow bound goes through the uniform-proposal sampler; a wide one is nearly a normal
    double[] narrow = draw(new TruncatedNormal(0.0, 1.0, 0.5), 5);
    for (double x : narrow) assertTrue(Math.abs(x) <= 0.5, "outside ±0.5: " + x);
    Stats.assertTruncatedNormal("truncated N(0, 1) at 0.5 std", narrow, 0.0, 1.0, 0.5);
    double[] wide = draw(new TruncatedNormal(0.0, 1.0, 3.0), 6);
    for (double x : wide) assertTrue(Math.abs(x) <= 3.0);
    Stats.assertTruncatedNormal("truncated N(0, 1) at 3 std", wide, 0.0, 1.0, 3.0);
  }

  @Test
  void uniformFanInIsTheBooksHeuristic() {
    UniformFanIn u = new UniformFanIn();
    double b = 1 / Math.sqrt(FAN_IN);
    assertEquals(b, u.bound(FAN_IN), 0.0);
    double[] v = draw(u, 7);
    for (double x : v) assertTrue(Math.abs(x) <= b);
    Stats.assertUniform("U(-1/sqrt(m), 1/sqrt(m))", v, b);
    // the same distribution (and draws) as variance scaling with scale 1/3, fan-in, uniform
    double[] w = draw(u.toVarianceScaling(), 7);
    for (int i = 0; i < v.length; i++) assertEquals(v[i], w[i], 1e-15);
    assertEquals("uniform-fan-in", u.name());
  }

  @Test
  void constantFillsAndNames() {
    double[] v = new Constant(0.1).sample(new long[] {3, 4}, 4, 3, new RandomStream("x", 1));
    assertEquals(12, v.length);
    for (double x : v) assertEquals(0.1, x, 0.0);
    assertEquals("zeros", Constant.ZEROS.name());
    assertEquals("constant(0.1)", new Constant(0.1).name());
  }

  @Test
  void argumentsAreValidatedWithClearMessages() {
    assertMessage(() -> new Uniform(1, 1), "uniform needs lo < hi, got lo=1.0, hi=1.0");
    assertMessage(() -> new Uniform(Double.NaN, 1), "uniform lo must be finite, got NaN");
    assertMessage(() -> new Normal(0, 0), "normal std must be > 0 and finite, got 0.0");
    assertMessage(() -> new Normal(0, Double.POSITIVE_INFINITY), "normal std must be > 0 and finite, got Infinity");
    assertMessage(() -> new TruncatedNormal(0, 1, -2), "truncated-normal bound (in standard deviations) must be > 0 and finite, got -2.0");
    assertMessage(() -> new Constant(Double.NaN), "constant value must be finite, got NaN");
    assertMessage(() -> new UniformFanIn().sample(new long[] {2, 0}, 0, 2, new RandomStream("x", 1)),
        "uniform-fan-in needs fanIn > 0, got 0");
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertEquals(expected, ex.getMessage());
  }
}
