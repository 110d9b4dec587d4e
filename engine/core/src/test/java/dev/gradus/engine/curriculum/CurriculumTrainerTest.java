package dev.gradus.engine.curriculum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingListener;
import dev.gradus.engine.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainer follows a curriculum's plan: its rows, order, weights, and records its metrics. */
class CurriculumTrainerTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(100, 30).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(64).dense(8, Activation.TANH).dense(3).build();

  /** Epoch e trains on the first 10·e rows, in order, recording what it saw. */
  private static final class Growing implements Curriculum {
    final List<int[]> planned = new ArrayList<>();
    final List<double[]> lossesSeen = new ArrayList<>();

    @Override
    public EpochPlan plan(EpochContext c) {
      int n = Math.min(c.train().size(), 10 * c.epoch());
      int[] order = new int[n];
      for (int i = 0; i < n; i++) order[i] = i;
      planned.add(order);
      lossesSeen.add(c.exampleLosses());
      double[] w = new double[c.train().size()];
      Arrays.fill(w, 1.0);
      return new EpochPlan(order, w, Map.of("share", (double) n / c.train().size()));
    }

    @Override
    public String describe() {
      return "growing";
    }
  }

  private TrainingResult fit(Growing c, List<EpochMetrics> seen, long seed) {
    Trainer t = new Trainer(be, model, Optimizers.sgd(0.1), TrainingConfig.of(3, 4).withDtype(DType.FLOAT64), new RandomStreams(seed))
        .withCurriculum(c);
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        seen.add(m);
      }
    });
    try (ParameterSet p = t.initialize()) {
      return t.fit(p, data.train(), data.test());
    }
  }

  @Test
  void stepsFollowThePlanAndItsMetricsAreRecorded() {
    Growing c = new Growing();
    List<EpochMetrics> seen = new ArrayList<>();
    TrainingResult r = fit(c, seen, 7);
    // 10, 20, 30 rows in batches of 4: 3 + 5 + 8 steps
    assertEquals(16, r.steps());
    assertEquals(List.of(3L, 8L, 16L), seen.stream().map(EpochMetrics::steps).toList());
    assertEquals(0.1, seen.get(0).hyperparameters().get("curriculum.share"), 1e-15);
    assertEquals(0.3, seen.get(2).hyperparameters().get("curriculum.share"), 1e-15);
    assertEquals(0.1, seen.get(0).hyperparameters().get("lr"), 0.0);
    // the losses the curriculum sees change as the model trains, one per training example
    assertEquals(data.train().size(), c.lossesSeen.get(0).length);
    assertFalse(Arrays.equals(c.lossesSeen.get(0), c.lossesSeen.get(1)));
    // deterministic under the seed
    List<EpochMetrics> again = new ArrayList<>();
    fit(new Growing(), again, 7);
    assertArrayEquals(seen.stream().mapToDouble(EpochMetrics::trainLoss).toArray(), again.stream().mapToDouble(EpochMetrics::trainLoss).toArray(), 0.0);
  }

  @Test
  void theFirstEpochsLossesAreThoseOfTheInitialParameters() {
    Growing c = new Growing();
    fit(c, new ArrayList<>(), 9);
    double[] l = c.lossesSeen.get(0);
    double mean = Arrays.stream(l).average().orElseThrow();
    // three classes, small weights: about log 3 on average
    assertTrue(Math.abs(mean - Math.log(3)) < 0.5, "mean initial loss " + mean);
    Dataset train = data.train();
    assertEquals(train.size(), l.length);
  }
}
