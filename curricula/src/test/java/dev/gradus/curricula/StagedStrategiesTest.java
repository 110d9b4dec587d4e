package dev.gradus.curricula;

import static dev.gradus.curricula.PacingsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Baby steps, the switch of Bengio et al. 2009, reweighting and the replay buffer. */
class StagedStrategiesTest {
  @Test
  void babyStepsBucketBoundaries() {
    // scores = 9 - row: the easiest rows are the last ones
    double[] s = new double[10];
    for (int i = 0; i < 10; i++) s[i] = 9 - i;
    Dataset d = Fixtures.data("d", s);
    BabySteps b = new BabySteps(Difficulties.metadata("d"), 3, 2);
    // buckets of ranks [0,3), [3,6), [6,10)
    assertEquals(3, b.bucketEnd(0, 10));
    assertEquals(6, b.bucketEnd(1, 10));
    assertEquals(10, b.bucketEnd(2, 10));
    List<EpochPlan> plans = Fixtures.run(b, d, 9, 4);
    int[][] expected = {Fixtures.range(7, 10), Fixtures.range(7, 10), Fixtures.range(4, 10), Fixtures.range(4, 10),
        Fixtures.range(0, 10), Fixtures.range(0, 10), Fixtures.range(0, 10), Fixtures.range(0, 10), Fixtures.range(0, 10)};
    double[] bucket = {0, 0, 1, 1, 2, 2, 2, 2, 2};
    for (int e = 0; e < 9; e++) {
      assertArrayEquals(expected[e], Fixtures.sorted(plans.get(e).order()), "epoch " + (e + 1));
      assertEquals(bucket[e], plans.get(e).metrics().get("bucket"));
    }
    assertEquals(0.6, plans.get(2).metrics().get("share"), 1e-12);
    assertEquals(1.0, plans.get(0).metrics().get("meanDifficulty"), 1e-12);
    assertMessage(() -> new BabySteps(Difficulties.metadata("d"), 0, 1), "buckets", "0");
    assertMessage(() -> Fixtures.run(new BabySteps(Difficulties.metadata("d"), 11, 1), d, 1, 1), "buckets = 11", "10");
  }

  @Test
  void switchAtTrainsOnTheEasySetThenOnlyTheHardSet() {
    double[] source = new double[100];
    Arrays.fill(source, 30, 100, 1); // rows 0..29 easy (part 0), 30..99 hard (part 1)
    Dataset d = Fixtures.data(Dataset.SOURCE, source);
    List<EpochPlan> plans = Fixtures.run(new SwitchAt(Difficulties.metadata(Dataset.SOURCE), 2), d, 4, 1);
    assertArrayEquals(Fixtures.range(0, 30), Fixtures.sorted(plans.get(0).order()));
    assertArrayEquals(Fixtures.range(0, 30), Fixtures.sorted(plans.get(1).order()));
    assertArrayEquals(Fixtures.range(30, 100), Fixtures.sorted(plans.get(2).order()));
    assertArrayEquals(Fixtures.range(30, 100), Fixtures.sorted(plans.get(3).order()));
    assertEquals(0.0, plans.get(1).metrics().get("stage"));
    assertEquals(1.0, plans.get(2).metrics().get("stage"));
    assertEquals(0.7, plans.get(2).metrics().get("share"), 1e-12);
    assertEquals(1.0, plans.get(2).metrics().get("meanDifficulty"), 1e-12);
    // switchEpoch 0: the hard set from the start
    EpochPlan first = Fixtures.run(new SwitchAt(Difficulties.metadata(Dataset.SOURCE), 0), d, 1, 1).get(0);
    assertArrayEquals(Fixtures.range(30, 100), Fixtures.sorted(first.order()));
    // one score only: no hard set to switch to
    Dataset flat = Fixtures.data("d", new double[5]);
    assertThrows(IllegalStateException.class, () -> Fixtures.run(new SwitchAt(Difficulties.metadata("d"), 1), flat, 2, 1));
    assertMessage(() -> new SwitchAt(Difficulties.metadata("d"), -1), "switchEpoch", "-1");
  }

  @Test
  void reweightingKeepsEveryRowAndDiscountsTheHardOnes() {
    int n = 100;
    double[] s = Fixtures.scrambled(n);
    Dataset d = Fixtures.data("d", s);
    List<EpochPlan> plans = Fixtures.run(new Reweighting(Difficulties.metadata("d"), Pacings.linear(0.3, 2), 0.25), d, 3, 2);
    double[] share = {0.3, 0.65, 1.0};
    for (int e = 0; e < 3; e++) {
      EpochPlan p = plans.get(e);
      assertArrayEquals(Fixtures.range(0, n), Fixtures.sorted(p.order()));
      for (int i = 0; i < n; i++) assertEquals(s[i] < share[e] * n - 1e-9 ? 1.0 : 0.25, p.weights()[i], "row " + i + " epoch " + (e + 1));
      assertEquals(1.0, p.metrics().get("share"));
      assertEquals(share[e], p.metrics().get("easyShare"), 1e-12);
      assertEquals(49.5, p.metrics().get("meanDifficulty"), 1e-9);
    }
    // weighted mean difficulty at 30% easy: (Σ_{0..29} + 0.25·Σ_{30..99}) / (30 + 17.5)
    assertEquals((435 + 0.25 * 4515) / 47.5, plans.get(0).metrics().get("weightedMeanDifficulty"), 1e-9);
    assertMessage(() -> new Reweighting(Difficulties.metadata("d"), Pacings.fixed(1), 1.5), "hardWeight", "1.5");
  }

  @Test
  void replayBufferSeesEachChunkPlusAReplayShareOfTheEarlierOnes() {
    // chunks 0, 1, 2 of 40, 60, 100 rows
    double[] chunk = new double[200];
    Arrays.fill(chunk, 40, 100, 1);
    Arrays.fill(chunk, 100, 200, 2);
    Dataset d = Fixtures.data("arrival", chunk);
    List<EpochPlan> plans = Fixtures.run(new ReplayBuffer(Difficulties.metadata("arrival"), 2, 0.5), d, 40, 3);
    // epochs 1, 2: chunk 0 only
    for (int e = 0; e < 2; e++) {
      assertArrayEquals(Fixtures.range(0, 40), Fixtures.sorted(plans.get(e).order()));
      assertEquals(0.0, plans.get(e).metrics().get("chunk"));
      assertEquals(0.0, plans.get(e).metrics().get("replayed"));
    }
    // epochs 3, 4: chunk 1 in full and ⌈0.5·60⌉ = 30 rows of chunk 0
    for (int e = 2; e < 4; e++) {
      int[] o = plans.get(e).order();
      assertEquals(90, o.length);
      assertEquals(1.0, plans.get(e).metrics().get("chunk"));
      assertArrayEquals(Fixtures.range(40, 100), Arrays.stream(o).filter(r -> r >= 40).sorted().toArray());
      assertEquals(30, Arrays.stream(o).filter(r -> r < 40).count());
    }
    // epochs 5..40: chunk 2 in full and 50 rows from chunks 0 and 1, each earlier row w.p. 1/100: chunk 0 w.p. 0.4
    long fromChunk0 = 0, replayed = 0;
    for (int e = 4; e < 40; e++) {
      int[] o = plans.get(e).order();
      assertEquals(150, o.length);
      assertEquals(2.0, plans.get(e).metrics().get("chunk"));
      assertEquals(50.0, plans.get(e).metrics().get("replayed"));
      assertArrayEquals(Fixtures.range(100, 200), Arrays.stream(o).filter(r -> r >= 100).sorted().toArray());
      fromChunk0 += Arrays.stream(o).filter(r -> r < 40).count();
      replayed += 50;
    }
    Fixtures.within4Sigma("replays from chunk 0", fromChunk0, replayed, 0.4);
    assertMessage(() -> new ReplayBuffer(Difficulties.metadata("arrival"), 1, -0.5), "replayShare", "-0.5");
    Dataset gap = Fixtures.data("arrival", new double[] {0, 2});
    assertMessage(() -> Fixtures.run(new ReplayBuffer(Difficulties.metadata("arrival"), 1, 1), gap, 1, 1), "chunks 1 has no rows");
    assertTrue(true);
  }
}
