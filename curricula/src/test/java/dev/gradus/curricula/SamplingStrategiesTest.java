package dev.gradus.curricula;

import static dev.gradus.curricula.PacingsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stochastic mixing, self-paced learning and the teacher–student bandit. */
class SamplingStrategiesTest {
  /** Levels 1..4, 50 rows each, interleaved: row i has level 1 + i % 4. */
  private static Dataset levels() {
    double[] l = new double[200];
    for (int i = 0; i < 200; i++) l[i] = 1 + i % 4;
    return Fixtures.data("level", l);
  }

  private static long[] levelCounts(int[] order) {
    long[] c = new long[5];
    for (int r : order) c[1 + r % 4]++;
    return c;
  }

  @Test
  void naiveSamplesOnlyTheCurrentLevel() {
    // level(t) = 1 + 0.6·t: rounds to 1, 2, 2, 3, 3, 4, 4 (clamped after)
    List<EpochPlan> plans = Fixtures.run(new StochasticMixing(Difficulties.metadata("level"), t -> 1 + 0.6 * t, StochasticMixing.Mode.NAIVE, 500), levels(), 9, 1);
    int[] d = {1, 2, 2, 3, 3, 4, 4, 4, 4};
    for (int e = 0; e < 9; e++) {
      int[] o = plans.get(e).order();
      assertEquals(500, o.length);
      final int level = d[e];
      assertTrue(Arrays.stream(o).allMatch(r -> 1 + r % 4 == level), "epoch " + (e + 1));
      assertEquals(level, plans.get(e).metrics().get("level"));
      assertEquals(level, plans.get(e).metrics().get("meanDifficulty"), 1e-12);
    }
    // uniform within the level: each of its 50 rows about 500/50 = 10 times
    long[] perRow = new long[200];
    for (int r : plans.get(0).order()) perRow[r]++;
    Fixtures.within4Sigma("row 0 draws", perRow[0], 500, 1 / 50.0);
  }

  @Test
  void mixSamplesLevelsUniformlyUpToTheCurrentOne() {
    StochasticMixing c = new StochasticMixing(Difficulties.metadata("level"), t -> 3, StochasticMixing.Mode.MIX, 3000);
    for (EpochPlan p : Fixtures.run(c, levels(), 3, 2)) {
      long[] counts = levelCounts(p.order());
      for (int l = 1; l <= 3; l++) Fixtures.within4Sigma("level " + l, counts[l], 3000, 1 / 3.0);
      assertEquals(0, counts[4]);
      assertEquals(3.0, p.metrics().get("level"));
    }
  }

  @Test
  void combinedAddsAFifthOfUniformLevels() {
    // D = 2 of L = 4: P(1) = P(2) = 0.2/4 + 0.8/2 = 0.45, P(3) = P(4) = 0.05
    StochasticMixing c = new StochasticMixing(Difficulties.metadata("level"), t -> 2, StochasticMixing.Mode.COMBINED, 4000);
    double[] p = {0, 0.45, 0.45, 0.05, 0.05};
    for (EpochPlan plan : Fixtures.run(c, levels(), 3, 3)) {
      long[] counts = levelCounts(plan.order());
      for (int l = 1; l <= 4; l++) Fixtures.within4Sigma("level " + l, counts[l], 4000, p[l]);
    }
  }

  @Test
  void levelsAreRoundedClampedAndChecked() {
    StochasticMixing c = new StochasticMixing(Difficulties.metadata("level"), t -> t - 1.0, StochasticMixing.Mode.NAIVE, 10);
    assertEquals(1, c.levelAt(0, 4));
    assertEquals(2, c.levelAt(3, 4)); // 2.0
    assertEquals(4, c.levelAt(40, 4));
    StochasticMixing half = new StochasticMixing(Difficulties.metadata("level"), t -> 2.5, StochasticMixing.Mode.NAIVE, 10);
    assertEquals(3, half.levelAt(0, 4)); // Math.round rounds half up
    Dataset bad = Fixtures.data("level", new double[] {1, 1.5});
    assertMessage(() -> Fixtures.run(c, bad, 1, 1), "levels", "1.5", "row 1");
    Dataset zero = Fixtures.data("level", new double[] {0, 1});
    assertMessage(() -> Fixtures.run(new StochasticMixing(Difficulties.metadata("level"), t -> 1, StochasticMixing.Mode.MIX, 5), zero, 1, 1), ">= 1", "0.0");
    assertMessage(() -> new StochasticMixing(Difficulties.metadata("level"), t -> 1, StochasticMixing.Mode.MIX, 0), "epochSize", "0");
  }

  @Test
  void selfPacedSelectsExactlyTheRowsBelowLambda() {
    int n = 50;
    double[] s = Fixtures.scrambled(n);
    Dataset d = Fixtures.data("d", s);
    // losses at epoch e: (37·i mod 50) / 10 + 0.05, so row i's loss is below λ iff its scrambled score is below 10λ - 0.5
    java.util.function.IntFunction<double[]> losses = e -> Arrays.stream(s).map(v -> v / 10 + 0.05).toArray();
    // λ(t) = 0.5·(t + 1): 0.5, 1.0, 1.5 ...
    List<EpochPlan> plans = Fixtures.run(new SelfPaced(t -> 0.5 * (t + 1)), d, 4, 5, losses);
    for (int e = 0; e < 4; e++) {
      double lambda = 0.5 * (e + 1);
      double[] l = losses.apply(e + 1);
      int[] expected = java.util.stream.IntStream.range(0, n).filter(i -> l[i] < lambda).toArray();
      assertArrayEquals(expected, Fixtures.sorted(plans.get(e).order()), "epoch " + (e + 1));
      assertEquals(lambda, plans.get(e).metrics().get("lambda"));
      assertEquals(expected.length / (double) n, plans.get(e).metrics().get("share"), 1e-12);
      assertEquals(5 * (e + 1), expected.length);
    }
    // λ below every loss: the single lowest-loss row
    EpochPlan none = Fixtures.run(new SelfPaced(t -> 0.01), d, 1, 5, losses).get(0);
    assertArrayEquals(new int[] {0}, none.order());
    assertArrayEquals(new int[] {2}, SelfPaced.select(new double[] {3, 2, 1, 1}, 0.5));
    assertArrayEquals(new int[] {1, 2}, SelfPaced.select(new double[] {3, 1, 1, 2}, 2.0)); // strictly below
  }

  /** Tasks 0, 1, 2 with 20 rows each (row i in task i % 3); task losses scripted per epoch. */
  private static List<EpochPlan> bandit(double epsilon, int epochs, long seed, double[] slopePerTask) {
    double[] task = new double[60];
    for (int i = 0; i < 60; i++) task[i] = i % 3;
    Dataset d = Fixtures.data("task", task);
    java.util.function.IntFunction<double[]> losses = e -> {
      double[] l = new double[60];
      for (int i = 0; i < 60; i++) l[i] = 5 + slopePerTask[i % 3] * (e - 1) + 0.01 * (i / 3 % 2); // within-task spread
      return l;
    };
    return Fixtures.run(new TeacherStudent(Difficulties.metadata("task"), 3, epsilon, 40), d, epochs, seed, losses);
  }

  @Test
  void theBanditPicksTheTaskWhoseLossFallsFastest() {
    // task 0 flat, task 1 falls by 0.3 per epoch, task 2 by 0.05
    List<EpochPlan> plans = bandit(0, 12, 1, new double[] {0, -0.3, -0.05});
    // untried tasks first, in order
    for (int e = 0; e < 3; e++) assertEquals((double) e, plans.get(e).metrics().get("task"), "epoch " + (e + 1));
    for (int e = 3; e < 12; e++) {
      EpochPlan p = plans.get(e);
      assertEquals(1.0, p.metrics().get("task"), "epoch " + (e + 1));
      assertEquals(-0.3, p.metrics().get("slope"), 1e-9);
      assertEquals(40, p.order().length);
      assertTrue(Arrays.stream(p.order()).allMatch(r -> r % 3 == 1));
    }
  }

  @Test
  void theBanditRevisitsATaskBeingForgotten() {
    // |slope| decides: task 2's loss rises by 0.5 per epoch
    List<EpochPlan> plans = bandit(0, 8, 1, new double[] {-0.1, -0.2, 0.5});
    for (int e = 3; e < 8; e++) assertEquals(2.0, plans.get(e).metrics().get("task"));
    assertEquals(0.5, plans.get(7).metrics().get("slope"), 1e-9);
  }

  @Test
  void theBanditExploresWithProbabilityEpsilon() {
    // with ε = 0.3 the best task is chosen w.p. 0.7 + 0.3/3 = 0.8
    List<EpochPlan> plans = bandit(0.3, 403, 7, new double[] {0, -0.3, -0.05});
    long best = plans.subList(3, 403).stream().filter(p -> p.metrics().get("task") == 1.0).count();
    Fixtures.within4Sigma("greedy choices", best, 400, 0.8);
    assertMessage(() -> new TeacherStudent(Difficulties.metadata("task"), 3, 1.5, 10), "epsilon", "1.5");
    assertMessage(() -> new TeacherStudent(Difficulties.metadata("task"), 0, 0.1, 10), "window", "0");
  }

  @Test
  void slopeIsTheLeastSquaresSlope() {
    assertEquals(2.0, TeacherStudent.slope(List.of(new double[] {0, 1}, new double[] {1, 3}, new double[] {2, 5})), 1e-12);
    // points (0,0), (1,1), (2,0), (3,3): x̄ = 1.5, ȳ = 1, Σ(x−x̄)(y−ȳ) = 1.5 + 0 − 0.5 + 3 = 4, Σ(x−x̄)² = 5: slope 0.8
    assertEquals(0.8, TeacherStudent.slope(List.of(new double[] {0, 0}, new double[] {1, 1}, new double[] {2, 0}, new double[] {3, 3})), 1e-12);
    assertEquals(0.0, TeacherStudent.slope(List.<double[]>of(new double[] {0, 4})));
  }
}
