package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacedTest {
  private final int n = 200;
  private final double[] scores = Fixtures.scrambled(n); // a permutation of 0..199
  private final Dataset d = Fixtures.data("d", scores);

  /** The rows whose score is below {@code k}: the k easiest. */
  private int[] easiest(int k) {
    return java.util.stream.IntStream.range(0, n).filter(i -> scores[i] < k).toArray();
  }

  private int[] hardest(int k) {
    return java.util.stream.IntStream.range(0, n).filter(i -> scores[i] >= n - k).toArray();
  }

  @Test
  void easyFirstTakesTheEasiestShareShuffled() {
    // linear(0.1, 4): 0.1, 0.325, 0.55, 0.775, 1 → ⌈·200⌉ = 20, 65, 110, 155, 200
    List<EpochPlan> plans = Fixtures.run(new Paced(Difficulties.metadata("d"), Pacings.linear(0.1, 4), Paced.Order.EASY_FIRST), d, 6, 1);
    int[] k = {20, 65, 110, 155, 200, 200};
    for (int e = 0; e < 6; e++) {
      EpochPlan p = plans.get(e);
      assertArrayEquals(easiest(k[e]), Fixtures.sorted(p.order()), "epoch " + (e + 1));
      assertNull(p.weights());
      assertEquals(k[e] / (double) n, p.metrics().get("share"), 1e-12);
      assertEquals((k[e] - 1) / 2.0, p.metrics().get("meanDifficulty"), 1e-9);
    }
    // shuffled: not in ranking order
    assertFalse(Arrays.equals(plans.get(2).order(), java.util.stream.IntStream.range(0, 110).map(r -> rankOf(r)).toArray()));
  }

  private int rankOf(int r) {
    for (int i = 0; i < n; i++) if (scores[i] == r) return i;
    throw new AssertionError();
  }

  @Test
  void hardFirstTakesTheHardestShare() {
    List<EpochPlan> plans = Fixtures.run(new Paced(Difficulties.metadata("d"), Pacings.fixed(0.3), Paced.Order.HARD_FIRST), d, 2, 1);
    // ⌈0.3·200⌉ = 60 exactly (not 61 from 60.000000000000004)
    assertArrayEquals(hardest(60), Fixtures.sorted(plans.get(0).order()));
    assertEquals(200 - 30.5, plans.get(1).metrics().get("meanDifficulty"), 1e-9);
  }

  @Test
  void tiesAreBrokenByRowIndex() {
    Dataset flat = Fixtures.data("d", new double[10]);
    EpochPlan p = Fixtures.run(new Paced(Difficulties.metadata("d"), Pacings.fixed(0.35), Paced.Order.EASY_FIRST), flat, 1, 3).get(0);
    assertArrayEquals(Fixtures.range(0, 4), Fixtures.sorted(p.order()));
  }

  @Test
  void randomOrderKeepsOneRandomRankingAndThePacing() {
    List<EpochPlan> plans = Fixtures.run(new Paced(Difficulties.metadata("d"), Pacings.linear(0.25, 3), Paced.Order.RANDOM), d, 4, 9);
    // nested subsets: the ranking is fixed at the first epoch
    Set<Integer> previous = new HashSet<>();
    int[] k = {50, 100, 150, 200};
    long easyHalf = 0, total = 0;
    for (int e = 0; e < 4; e++) {
      int[] o = plans.get(e).order();
      assertEquals(k[e], o.length);
      Set<Integer> now = new HashSet<>();
      for (int r : o) now.add(r);
      assertTrue(now.containsAll(previous), "epoch " + (e + 1) + " keeps earlier rows");
      previous = now;
      if (e < 3) {
        // composition is uniform over difficulty: each row is in the easy half w.p. 1/2 (hypergeometric, narrower than binomial)
        long easy = Arrays.stream(o).filter(r -> scores[r] < n / 2).count();
        Fixtures.within4Sigma("easy-half rows in epoch " + (e + 1), easy, o.length, 0.5);
      }
    }
    // and it is not the easy-first ranking
    long easyInFirst = Arrays.stream(plans.get(0).order()).filter(r -> scores[r] < 50).count();
    assertTrue(easyInFirst < 50);
  }
}
