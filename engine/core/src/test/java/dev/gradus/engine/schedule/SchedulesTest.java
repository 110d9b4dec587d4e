package dev.gradus.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.schedule.ReduceOnPlateau.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Validation, names, sampling and discovery across the library. */
class SchedulesTest {
  private static void assertMessage(String name, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name), "message should name " + name + ": " + e.getMessage());
  }

  @Test
  void argumentsAreValidated() {
    assertMessage("initial", () -> Schedules.stepDecay(Double.NaN, 0.5, 10));
    assertMessage("factor", () -> Schedules.stepDecay(0.1, 0, 10));
    assertMessage("factor", () -> Schedules.stepDecay(0.1, Double.POSITIVE_INFINITY, 10));
    assertMessage("every", () -> Schedules.stepDecay(0.1, 0.5, 0));
    assertMessage("initial", () -> Schedules.multiStep(Double.POSITIVE_INFINITY, 0.5, 10));
    assertMessage("factor", () -> Schedules.multiStep(0.1, -0.5, 10));
    assertMessage("milestones[0]", () -> Schedules.multiStep(0.1, 0.5, 0, 10));
    assertMessage("milestones must be strictly increasing", () -> Schedules.multiStep(0.1, 0.5, 10, 10));
    assertMessage("milestones", () -> Schedules.multiStep(0.1, 0.5, (long[]) null));
    assertMessage("rate", () -> Schedules.exponential(0.1, -1e-3));
    assertMessage("initial", () -> Schedules.exponential(Double.NaN, 1e-3));
    assertMessage("rate", () -> Schedules.inverseTime(0.1, Double.NaN));
    assertMessage("steps", () -> Schedules.linearDecay(0.1, 0, 0.001));
    assertMessage("end", () -> Schedules.linearDecay(0.1, 100, Double.NaN));
    assertMessage("power", () -> Schedules.polynomial(0.1, 100, 0, 0));
    assertMessage("steps", () -> Schedules.polynomial(0.1, -1, 0, 1));
    assertMessage("steps", () -> Schedules.cosine(0.1, 0));
    assertMessage("end", () -> Schedules.cosine(0.1, 10, Double.NEGATIVE_INFINITY));
    assertMessage("after", () -> Schedules.warmup(null, 10));
    assertMessage("warmupSteps", () -> Schedules.warmup(Schedules.constant(1), -1));
    assertMessage("start", () -> Schedules.warmup(Schedules.constant(1), 10, Double.NaN));
    assertMessage("parts must not be empty", () -> Schedules.join(List.of()));
    assertMessage("boundaries must have parts.size() - 1 = 1", () -> Schedules.join(
        List.of(Schedules.constant(1), Schedules.constant(2))));
    assertMessage("boundaries[0]", () -> Schedules.join(List.of(Schedules.constant(1), Schedules.constant(2)), 0));
    assertMessage("boundaries must be strictly increasing", () -> Schedules.join(
        List.of(Schedules.constant(1), Schedules.constant(2), Schedules.constant(3)), 5, 5));
    assertMessage("parts[1]", () -> Schedules.join(Arrays.asList(Schedules.constant(1), null), 5));
    assertMessage("max", () -> Schedules.sutskeverMomentum(1.5));
    assertMessage("max", () -> Schedules.sutskeverMomentum(Double.NaN));
    assertMessage("every", () -> Schedules.sutskeverMomentum(0.99, 0));
    assertMessage("ofEpoch", () -> Schedules.perEpoch(null, 10));
    assertMessage("stepsPerEpoch", () -> Schedules.perEpoch(Schedules.constant(1), 0));
  }

  @Test
  void negativeStepsAreRejected() {
    List<Schedule> all = List.of(Schedules.stepDecay(0.1, 0.5, 10), Schedules.multiStep(0.1, 0.5, 10),
        Schedules.exponential(0.1, 0.1), Schedules.inverseTime(0.1, 0.1), Schedules.linearDecay(0.1, 10, 0),
        Schedules.polynomial(0.1, 10, 0, 2), Schedules.cosine(0.1, 10), Schedules.warmup(Schedules.constant(1), 5),
        Schedules.join(List.of(Schedules.constant(1), Schedules.constant(2)), 5), Schedules.sutskeverMomentum(0.9),
        Schedules.perEpoch(Schedules.constant(1), 10));
    for (Schedule s : all) assertMessage("step", () -> s.at(-1));
  }

  @Test
  void namesCarryTheirArguments() {
    assertEquals("constant(0.1)", Schedules.constant(0.1).toString());
    assertEquals("stepDecay(initial=0.1, factor=0.5, every=100)", Schedules.stepDecay(0.1, 0.5, 100).toString());
    assertEquals("multiStep(initial=1.0, factor=0.1, milestones=[30, 80])",
        Schedules.multiStep(1.0, 0.1, 30, 80).toString());
    assertEquals("exponential(initial=0.1, rate=0.001)", Schedules.exponential(0.1, 1e-3).toString());
    assertEquals("inverseTime(initial=0.1, rate=0.5)", Schedules.inverseTime(0.1, 0.5).toString());
    assertEquals("linearDecay(initial=0.1, steps=100, end=0.001)", Schedules.linearDecay(0.1, 100, 0.001).toString());
    assertEquals("polynomial(initial=1.0, steps=10, end=0.2, power=2.0)",
        Schedules.polynomial(1.0, 10, 0.2, 2).toString());
    assertEquals("sutskeverMomentum(max=0.99, every=250)", Schedules.sutskeverMomentum(0.99).toString());
    assertEquals("warmup(after=cosine(initial=0.001, steps=10000, end=0.0), warmupSteps=500, start=0.0)",
        Schedules.warmup(Schedules.cosine(1e-3, 10_000), 500).toString());
    assertEquals("join(parts=[constant(1.0), constant(0.5)], boundaries=[5])",
        Schedules.join(List.of(Schedules.constant(1.0), Schedules.constant(0.5)), 5).toString());
    assertEquals("perEpoch(stepDecay(initial=0.1, factor=0.5, every=2), stepsPerEpoch=100)",
        Schedules.perEpoch(Schedules.stepDecay(0.1, 0.5, 2), 100).toString());
    assertEquals("reduceOnPlateau(base=constant(0.1), metric=validation.loss, mode=MIN, factor=0.1, patience=10, "
        + "threshold=1.0E-4, thresholdMode=REL, cooldown=0, minValue=0.0)",
        Schedules.reduceOnPlateau(Schedules.constant(0.1), "validation.loss", Mode.MIN, 0.1, 10).toString());
  }

  @Test
  void equalArgumentsGiveEqualSchedules() {
    assertEquals(Schedules.multiStep(1.0, 0.1, 30, 80), Schedules.multiStep(1.0, 0.1, 30, 80));
    assertEquals(Schedules.multiStep(1.0, 0.1, 30, 80).hashCode(), Schedules.multiStep(1.0, 0.1, 30, 80).hashCode());
    assertEquals(Schedules.cosine(1.0, 10), Schedules.cosine(1.0, 10, 0.0));
    Schedule c = Schedules.constant(1);
    assertEquals(Schedules.join(List.of(c, c), 3), Schedules.join(List.of(c, c), 3));
  }

  @Test
  void arraysAreCopied() {
    long[] milestones = {30, 80};
    MultiStep s = Schedules.multiStep(1.0, 0.1, milestones);
    milestones[0] = 1;
    assertEquals(1.0, s.at(29), 0.0);
    s.milestones()[0] = 1;
    assertArrayEquals(new long[] {30, 80}, s.milestones());
    List<Schedule> parts = new ArrayList<>(List.of(Schedules.constant(1), Schedules.constant(2)));
    Join j = Schedules.join(parts, 5);
    parts.set(0, Schedules.constant(7));
    assertEquals(1.0, j.at(0), 0.0);
  }

  @Test
  void sampleAndValues() {
    Schedule s = Schedules.stepDecay(1.0, 0.5, 2);
    assertArrayEquals(new double[] {1, 1, 0.5, 0.5, 0.25}, Schedules.sample(s, 5), 0.0); // 0.5^⌊t/2⌋
    assertArrayEquals(new double[] {0.5, 0.5, 0.25}, Schedules.values(s, 2, 5), 0.0);
    assertArrayEquals(new double[0], Schedules.values(s, 3, 3), 0.0);
    assertMessage("to", () -> Schedules.values(s, 5, 3));
    assertMessage("from", () -> Schedules.values(s, -1, 3));
    assertMessage("to - from", () -> Schedules.sample(s, 1L << 40));
  }

  @Test
  void metricDrivenSchedulesAreFoundWhereverTheyAreNested() {
    ReduceOnPlateau plateau = Schedules.reduceOnPlateau(Schedules.cosine(0.1, 1000), "validation.loss", Mode.MIN, 0.1, 3);
    Schedule lr = Schedules.warmup(Schedules.join(List.of(plateau, Schedules.perEpoch(plateau, 10)), 500), 100);
    List<MetricDrivenSchedule> found = Schedules.metricDriven(lr);
    assertEquals(1, found.size());
    assertSame(plateau, found.get(0));
    assertEquals(List.of(), Schedules.metricDriven(Schedules.cosine(0.1, 10)));
    assertEquals(List.of(plateau), Schedules.metricDriven(plateau));
  }
}
