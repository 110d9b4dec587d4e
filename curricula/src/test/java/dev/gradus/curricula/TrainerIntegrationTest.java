package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Curricula driven by the real trainer on a tiny Shapeset (reference backend). */
class TrainerIntegrationTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(100, 30).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(64).dense(8, Activation.TANH).dense(3).build();

  /** Records each plan and the size of the training set the trainer hands over. */
  private static final class Recording implements Curriculum {
    final Curriculum inner;
    final List<EpochPlan> plans = new ArrayList<>();
    int trainSize;

    Recording(Curriculum inner) {
      this.inner = inner;
    }

    @Override
    public EpochPlan plan(EpochContext c) {
      trainSize = c.train().size();
      EpochPlan p = inner.plan(c);
      plans.add(p);
      return p;
    }

    @Override
    public String describe() {
      return inner.describe();
    }
  }

  private List<EpochMetrics> fit(Curriculum c, long seed) {
    List<EpochMetrics> seen = new ArrayList<>();
    Trainer t = new Trainer(be, model, Optimizers.sgd(0.1), TrainingConfig.of(3, 4).withDtype(DType.FLOAT64), new RandomStreams(seed)).withCurriculum(c);
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        seen.add(m);
      }
    });
    try (ParameterSet p = t.initialize()) {
      t.fit(p, data.train(), data.test());
    }
    return seen;
  }

  @Test
  void pacedBySizeTrainsOnTheGrowingEasyShare() {
    Recording c = new Recording(new Paced(Difficulties.metadata(Shapeset.SIZE), Pacings.linear(0.2, 2), Paced.Order.EASY_FIRST));
    List<EpochMetrics> seen = fit(c, 7);
    int n = c.trainSize;
    long steps = 0;
    double[] share = {0.2, 0.6, 1.0};
    for (int e = 0; e < 3; e++) {
      int k = Plans.count(share[e], n);
      assertEquals(k, c.plans.get(e).order().length);
      steps += (k + 3) / 4;
      assertEquals(steps, seen.get(e).steps(), "steps after epoch " + (e + 1));
      assertEquals(k / (double) n, seen.get(e).hyperparameters().get("curriculum.share"), 1e-12);
      assertEquals(share[e], seen.get(e).hyperparameters().get("curriculum.pacing"), 1e-12);
      assertTrue(seen.get(e).hyperparameters().containsKey("curriculum.meanDifficulty"));
    }
    // easy first: the mean size in use grows
    assertTrue(seen.get(0).hyperparameters().get("curriculum.meanDifficulty") < seen.get(2).hyperparameters().get("curriculum.meanDifficulty"));
    // deterministic under the seed
    List<EpochMetrics> again = fit(new Paced(Difficulties.metadata(Shapeset.SIZE), Pacings.linear(0.2, 2), Paced.Order.EASY_FIRST), 7);
    assertArrayEquals(seen.stream().mapToDouble(EpochMetrics::trainLoss).toArray(), again.stream().mapToDouble(EpochMetrics::trainLoss).toArray(), 0.0);
  }

  @Test
  void selfPacedAndReweightingRunThroughTheTrainer() {
    List<EpochMetrics> sp = fit(new SelfPaced(t -> 1.0 + 0.2 * t), 3);
    assertEquals(3, sp.size());
    assertEquals(1.2, sp.get(1).hyperparameters().get("curriculum.lambda"), 1e-12);
    assertTrue(sp.stream().allMatch(m -> Double.isFinite(m.trainLoss())));
    List<EpochMetrics> rw = fit(new Reweighting(Difficulties.metadata(Shapeset.SIZE), Pacings.fixed(0.5), 0.2), 3);
    assertEquals(1.0, rw.get(0).hyperparameters().get("curriculum.share"), 0.0);
    assertTrue(rw.stream().allMatch(m -> Double.isFinite(m.trainLoss())));
  }

  @Test
  void aTeachersLossesCanOrderTheCurriculum() {
    try (ParameterSet teacher = model.initialize(be, DType.FLOAT64, new RandomStream("teacher", 5))) {
      Recording c = new Recording(new Paced(Difficulties.teacherLosses(be, model, teacher, Loss.SOFTMAX_CROSS_ENTROPY), Pacings.fixed(0.5), Paced.Order.EASY_FIRST));
      List<EpochMetrics> seen = fit(c, 5);
      assertEquals(3, seen.size());
      assertEquals(Plans.count(0.5, c.trainSize), c.plans.get(2).order().length);
    }
  }
}
