package dev.gradus.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.schedule.ReduceOnPlateau.Mode;
import dev.gradus.engine.schedule.ReduceOnPlateau.ThresholdMode;
import org.junit.jupiter.api.Test;

class ReduceOnPlateauTest {
  private static final double EPS = 1e-15;

  /** Feeds the metrics one by one and returns at(0) after each observation. */
  private static double[] feed(ReduceOnPlateau s, double... metrics) {
    double[] out = new double[metrics.length];
    for (int i = 0; i < metrics.length; i++) {
      s.observe(metrics[i]);
      out[i] = s.at(0);
    }
    return out;
  }

  private static ReduceOnPlateau.Builder halving(int patience) {
    return ReduceOnPlateau.builder(Schedules.constant(1.0), "validation.loss").factor(0.5).patience(patience);
  }

  @Test
  void reducesAfterMoreThanPatienceBadObservations() {
    ReduceOnPlateau s = halving(2).build();
    assertEquals(1.0, s.at(0)); // no observation yet
    // 10 best; 9 better; 9,9 bad 1,2; 9 bad 3 > 2 → ×0.5, bad 0; 9,9 bad 1,2; 9 bad 3 → ×0.5 again
    assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25}, feed(s, 10, 9, 9, 9, 9, 9, 9, 9), EPS);
    assertEquals(2, s.reductions());
    assertEquals(9.0, s.best());
    assertEquals(8, s.observations());
  }

  @Test
  void improvementResetsTheBadCount() {
    ReduceOnPlateau s = halving(2).build();
    // 10 best; 10,10 bad 1,2; 9 better → bad 0; 9,9 bad 1,2; 9 bad 3 → reduce
    assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 0.5}, feed(s, 10, 10, 10, 9, 9, 9, 9), EPS);
  }

  @Test
  void cooldownIgnoresBadObservationsAfterAReduction() {
    ReduceOnPlateau one = halving(2).cooldown(1).build();
    // reduce at obs 5 (cooldown counter 1); obs 6 bad but in cooldown → counter 0, bad 0;
    // obs 7, 8, 9 bad 1, 2, 3 → reduce at obs 9 (without cooldown: obs 8)
    assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}, feed(one, 10, 9, 9, 9, 9, 9, 9, 9, 9), EPS);

    ReduceOnPlateau two = halving(2).cooldown(2).build();
    // reduce at obs 5; obs 6, 7 in cooldown; obs 8, 9, 10 bad 1, 2, 3 → reduce at obs 10
    assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25},
        feed(two, 10, 9, 9, 9, 9, 9, 9, 9, 9, 9), EPS);
  }

  @Test
  void improvementDuringCooldownStillUpdatesTheBest() {
    ReduceOnPlateau s = halving(2).cooldown(2).build();
    feed(s, 10, 9, 9, 9, 9); // reduced at obs 5, cooldown counter 2
    s.observe(8);
    assertEquals(8.0, s.best());
    assertEquals(1, s.cooldownCounter());
    assertEquals(0, s.badObservations());
  }

  @Test
  void relativeThresholdDecidesWhatCountsAsBetter() {
    ReduceOnPlateau rel = halving(2).build(); // threshold 1e-4 relative (default)
    // 9.9995 < 10·(1 − 1e-4) = 9.999? no → bad 1, 2, 3 → reduce; best stays 10
    assertArrayEquals(new double[] {1, 1, 1, 0.5}, feed(rel, 10, 9.9995, 9.9995, 9.9995), EPS);
    assertEquals(10.0, rel.best());

    ReduceOnPlateau zero = halving(2).threshold(0).build();
    // 9.9995 < 10 → better; then bad 1, 2: no reduction
    assertArrayEquals(new double[] {1, 1, 1, 1}, feed(zero, 10, 9.9995, 9.9995, 9.9995), EPS);
    assertEquals(9.9995, zero.best());
  }

  @Test
  void absoluteThreshold() {
    ReduceOnPlateau s = halving(2).threshold(0.5, ThresholdMode.ABS).build();
    s.observe(10);
    s.observe(9.6); // 9.6 < 10 − 0.5 = 9.5? no
    assertEquals(10.0, s.best());
    assertEquals(1, s.badObservations());
    s.observe(9.4); // 9.4 < 9.5: better
    assertEquals(9.4, s.best());
    assertEquals(0, s.badObservations());
  }

  @Test
  void maxModeWatchesForIncreases() {
    ReduceOnPlateau s = halving(2).mode(Mode.MAX).threshold(0).build();
    // accuracy 0.5 best; 0.6 better; 0.6, 0.55 bad 1, 2; 0.6 bad 3 → reduce
    assertArrayEquals(new double[] {1, 1, 1, 1, 0.5}, feed(s, 0.5, 0.6, 0.6, 0.55, 0.6), EPS);
    assertEquals(0.6, s.best());

    ReduceOnPlateau rel = halving(2).mode(Mode.MAX).threshold(0.1).build();
    rel.observe(0.5);
    rel.observe(0.54); // 0.54 > 0.5·1.1 = 0.55? no
    assertEquals(0.5, rel.best());
    rel.observe(0.56); // 0.56 > 0.55: better
    assertEquals(0.56, rel.best());
  }

  @Test
  void minimumValueFloorsTheReducedValue() {
    ReduceOnPlateau s = halving(0).minValue(0.3).build();
    // patience 0: every bad observation reduces. 1 best; 1 → ×0.5 → 0.5; 1 → 0.25 floored to 0.3; 1 → 0.3
    assertArrayEquals(new double[] {1, 0.5, 0.3, 0.3}, feed(s, 1, 1, 1, 1), EPS);
    assertEquals(0.125, s.currentFactor(), 0.0); // 0.5^3

    ReduceOnPlateau low = ReduceOnPlateau.builder(t -> t == 0 ? 0.1 : 1.0, "validation.loss")
        .factor(0.25).patience(0).minValue(0.3).build();
    feed(low, 1, 1); // one reduction: c = 0.25
    assertEquals(0.1, low.at(0), 0.0); // a base value below the floor is not raised: min(0.1, max(0.025, 0.3))
    assertEquals(0.3, low.at(1), 0.0); // max(1.0·0.25, 0.3)
  }

  @Test
  void scalesTheBaseScheduleStepByStep() {
    ReduceOnPlateau s = ReduceOnPlateau.builder(Schedules.linearDecay(1.0, 10, 0.0), "validation.loss")
        .factor(0.5).patience(0).build();
    assertEquals(0.6, s.at(4), EPS); // (1 − 4/10)·1
    feed(s, 1, 1); // one reduction
    assertEquals(0.3, s.at(4), EPS); // 0.6·0.5
    assertEquals(0.5, s.at(0), 0.0); // 1·0.5
  }

  @Test
  void nanMetricIsRejectedAndLeavesTheStateAlone() {
    ReduceOnPlateau s = halving(2).build();
    feed(s, 10, 9);
    long[] before = s.stateWords();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.observe(Double.NaN));
    assertTrue(e.getMessage().contains("validation.loss") && e.getMessage().contains("NaN"), e.getMessage());
    assertArrayEquals(before, s.stateWords());
  }

  @Test
  void infiniteLossCountsAsBad() {
    ReduceOnPlateau s = halving(2).build();
    feed(s, 10, Double.POSITIVE_INFINITY);
    assertEquals(1, s.badObservations());
    assertEquals(10.0, s.best());
  }

  @Test
  void stateWordsAreExact() {
    ReduceOnPlateau s = halving(2).cooldown(1).build();
    feed(s, 10, 9, 9, 9, 9); // reduction at obs 5: cooldown counter 1, bad 0
    assertArrayEquals(new long[] {ReduceOnPlateau.STATE_VERSION, Double.doubleToRawLongBits(9.0), 0, 1,
        Double.doubleToRawLongBits(0.5), 5, 1}, s.stateWords());
  }

  @Test
  void restoredStateContinuesIdentically() {
    double[] prefix = {10, 9, 9, 9, 9, 8.5, 8.5};
    double[] suffix = {8.5, 8.5, 8.5, 8.0, 8.0, 8.0, 8.0, 8.0, 7.99, 7.99, 7.99, 7.99};
    ReduceOnPlateau original = halving(2).cooldown(1).minValue(0.05).build();
    feed(original, prefix);
    ReduceOnPlateau restored = halving(2).cooldown(1).minValue(0.05).build();
    restored.restoreState(original.stateWords());
    assertArrayEquals(original.stateWords(), restored.stateWords());
    for (double m : suffix) {
      original.observe(m);
      restored.observe(m);
      assertArrayEquals(original.stateWords(), restored.stateWords());
      for (long t : new long[] {0, 1, 1000}) assertEquals(original.at(t), restored.at(t), 0.0);
    }
    assertTrue(original.reductions() >= 3, "the sequence should reduce several times: " + original.reductions());
  }

  @Test
  void resetForgetsEverything() {
    ReduceOnPlateau s = halving(0).build();
    feed(s, 1, 1, 1);
    s.reset();
    assertArrayEquals(halving(0).build().stateWords(), s.stateWords());
    assertEquals(1.0, s.at(0), 0.0);
  }

  @Test
  void restoreRejectsWordsThatAreNotAState() {
    ReduceOnPlateau s = halving(2).cooldown(1).build();
    long[] good = s.stateWords();
    assertThrows(IllegalArgumentException.class, () -> s.restoreState(new long[] {1, 2}));
    long[] version = good.clone();
    version[0] = 99;
    assertThrows(IllegalArgumentException.class, () -> s.restoreState(version));
    long[] nanBest = good.clone();
    nanBest[1] = Double.doubleToRawLongBits(Double.NaN);
    assertThrows(IllegalArgumentException.class, () -> s.restoreState(nanBest));
    long[] cooldown = good.clone();
    cooldown[3] = 2; // more than this schedule's cooldown of 1
    assertThrows(IllegalArgumentException.class, () -> s.restoreState(cooldown));
    long[] factor = good.clone();
    factor[4] = Double.doubleToRawLongBits(1.5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.restoreState(factor));
    assertTrue(e.getMessage().contains("factor"), e.getMessage());
    assertArrayEquals(good, s.stateWords()); // failed restores change nothing
  }

  @Test
  void factoryArgumentsAndMetricName() {
    ReduceOnPlateau s = Schedules.reduceOnPlateau(Schedules.constant(0.1), "validation.accuracy", Mode.MAX, 0.1, 10);
    assertEquals("validation.accuracy", s.metric());
    assertEquals(1e-4, s.threshold());
    assertEquals(ThresholdMode.REL, s.thresholdMode());
    MetricDrivenSchedule m = Schedules.reduceOnPlateau(Schedules.constant(0.1), "validation.loss", Mode.MIN, 0.5, 1,
        0.0, ThresholdMode.ABS, 2, 1e-6);
    assertEquals("validation.loss", m.metric());
  }

  @Test
  void validation() {
    Schedule base = Schedules.constant(1.0);
    assertMessage("factor", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 1.0, 2));
    assertMessage("factor", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.0, 2));
    assertMessage("patience", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, -1));
    assertMessage("metric", () -> Schedules.reduceOnPlateau(base, " ", Mode.MIN, 0.5, 2));
    assertMessage("metric", () -> Schedules.reduceOnPlateau(base, null, Mode.MIN, 0.5, 2));
    assertMessage("base", () -> Schedules.reduceOnPlateau(null, "loss", Mode.MIN, 0.5, 2));
    assertMessage("mode", () -> Schedules.reduceOnPlateau(base, "loss", null, 0.5, 2));
    assertMessage("threshold", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, 2, -0.1, 0, 0));
    assertMessage("threshold", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, 2, 1.0, 0, 0));
    assertMessage("cooldown", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, 2, 0.0, -1, 0));
    assertMessage("minValue", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, 2, 0.0, 0, -1));
    assertMessage("minValue", () -> Schedules.reduceOnPlateau(base, "loss", Mode.MIN, 0.5, 2, 0.0, 0, Double.NaN));
  }

  private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name), "message should name " + name + ": " + e.getMessage());
  }
}
