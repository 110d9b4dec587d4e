package dev.gradus.engine.init;

import static dev.gradus.engine.init.BasicInitializersTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.init.VarianceScaling.Distribution;
import dev.gradus.engine.init.VarianceScaling.FanMode;
import dev.gradus.engine.random.RandomStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class VarianceScalingTest {
  private static final long[] SHAPE = {200, 500}; // 100,000 draws
  private static final int FAN_IN = 500, FAN_OUT = 200; // distinct, so the modes give different n

  private static double n(FanMode mode) {
    return switch (mode) {
      case IN -> FAN_IN;
      case OUT -> FAN_OUT;
      case AVERAGE -> (FAN_IN + FAN_OUT) / 2.0;
    };
  }

  /** Each distribution × each fan mode has variance scale/n (the truncated normal after its correction). */
  @ParameterizedTest
  @EnumSource(FanMode.class)
  void everyDistributionHasVarianceScaleOverN(FanMode mode) {
    double scale = 1.7;
    double variance = scale / n(mode);
    long seed = 10 + mode.ordinal();
    for (Distribution d : Distribution.values()) {
      VarianceScaling vs = new VarianceScaling(scale, mode, d);
      assertEquals(variance, vs.variance(FAN_IN, FAN_OUT), 1e-15);
      double[] v = vs.sample(SHAPE, FAN_IN, FAN_OUT, new RandomStream("init", seed + 100L * d.ordinal()));
      String what = vs.name();
      switch (d) {
        case UNIFORM -> {
          double limit = Math.sqrt(3 * variance);
          for (double x : v) assertTrue(Math.abs(x) <= limit, what + ": outside the limit " + x);
          Stats.assertUniform(what, v, limit);
        }
        case NORMAL -> Stats.assertNormal(what, v, 0.0, variance);
        case TRUNCATED_NORMAL -> {
          double std = Math.sqrt(variance) / VarianceScaling.TRUNCATED_NORMAL_STD_CORRECTION;
          for (double x : v) assertTrue(Math.abs(x) <= 2 * std, what + ": outside ±2 std " + x);
          Stats.assertTruncatedNormal(what, v, 0.0, std, 2.0);
          // and the corrected draws have the requested variance itself (4 SE with μ₄ of the truncated law)
          double mass = Stats.simpson(Stats::phi, -2, 2, 20_000);
          double m4 = Stats.simpson(z -> Math.pow(z, 4) * Stats.phi(z), -2, 2, 20_000) / mass;
          Stats.assertMoments(what + " (requested variance)", v, 0.0, variance, Math.pow(std, 4) * m4);
        }
      }
    }
  }

  @Test
  void truncationCorrectionIsTheStdOfTheTruncatedStandardNormal() {
    double mass = Stats.simpson(Stats::phi, -2, 2, 20_000);
    double var = Stats.simpson(z -> z * z * Stats.phi(z), -2, 2, 20_000) / mass;
    assertEquals(0.87962566103423978, Math.sqrt(var), 1e-12);
  }

  @Test
  void namedMembersHaveTheirVariances() {
    double[][] cases = { // scale/n for the presets
      {1.0 / FAN_IN}, {1.0 / FAN_IN}, {2.0 / (FAN_IN + FAN_OUT)}, {2.0 / (FAN_IN + FAN_OUT)}, {2.0 / FAN_IN}, {2.0 / FAN_IN}};
    VarianceScaling[] presets = {
      VarianceScaling.lecunUniform(), VarianceScaling.lecunNormal(), VarianceScaling.glorotUniform(),
      VarianceScaling.glorotNormal(), VarianceScaling.heUniform(), VarianceScaling.heNormal()};
    String[] names = {"lecun-uniform", "lecun-normal", "glorot-uniform", "glorot-normal", "he-uniform", "he-normal"};
    for (int i = 0; i < presets.length; i++) {
      assertEquals(names[i], presets[i].name());
      assertEquals(cases[i][0], presets[i].variance(FAN_IN, FAN_OUT), 1e-15, names[i]);
      double[] v = presets[i].sample(SHAPE, FAN_IN, FAN_OUT, new RandomStream("init", 40 + i));
      if (presets[i].distribution() == Distribution.UNIFORM) Stats.assertUniform(names[i], v, Math.sqrt(3 * cases[i][0]));
      else Stats.assertNormal(names[i], v, 0.0, cases[i][0]);
    }
    assertEquals("variance-scaling(scale=2.0, mode=fan-in, distribution=truncated-normal)",
        new VarianceScaling(2, FanMode.IN, Distribution.TRUNCATED_NORMAL).name());
  }

  @Test
  void glorotUniformIsConsistentWithVarianceScaling() {
    for (double gain : new double[] {1.0, 5.0 / 3.0}) {
      GlorotUniform g = new GlorotUniform(gain);
      assertEquals(gain * Math.sqrt(6.0) / Math.sqrt(FAN_IN + FAN_OUT), g.bound(FAN_IN, FAN_OUT), 1e-15);
      double[] a = g.sample(SHAPE, FAN_IN, FAN_OUT, new RandomStream("init", 50));
      double[] b = g.toVarianceScaling().sample(SHAPE, FAN_IN, FAN_OUT, new RandomStream("init", 50));
      for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-15);
      Stats.assertUniform(g.name(), a, g.bound(FAN_IN, FAN_OUT));
    }
    assertEquals(VarianceScaling.glorotUniform(), new GlorotUniform().toVarianceScaling());
    assertEquals("glorot-uniform", new GlorotUniform().name());
    assertEquals("glorot-uniform(gain=2.0)", new GlorotUniform(2).name());
    assertMessage(() -> new GlorotUniform(-1), "glorot-uniform gain must be > 0 and finite, got -1.0");
  }

  @Test
  void validation() {
    assertMessage(() -> new VarianceScaling(0, FanMode.IN, Distribution.NORMAL), "variance scaling scale must be > 0 and finite, got 0.0");
    assertMessage(() -> new VarianceScaling(1, null, Distribution.NORMAL), "variance scaling mode must not be null (IN, OUT or AVERAGE)");
    assertMessage(() -> VarianceScaling.heNormal().sample(SHAPE, 0, 5, new RandomStream("x", 1)),
        "variance scaling (fan-in) needs fanIn > 0, got 0");
    assertMessage(() -> FanMode.fromCode(3), "unknown fan mode code 3; known: 0 (fan-in), 1 (fan-out), 2 (fan-avg)");
    assertEquals(Distribution.TRUNCATED_NORMAL, Distribution.fromCode(2));
  }
}
