package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Phase;
import dev.gradus.engine.train.PhaseResult;
import dev.gradus.engine.train.StoppingRule;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import dev.gradus.engine.train.TrainingListener;
import dev.gradus.engine.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Batch methods as phases of a training pipeline. */
class BatchPipelineTest {
  private final ReferenceBackend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(200, 60).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(64).dense(16, Activation.TANH).dense(3).build();

  private record Run(TrainingResult result, List<EpochMetrics> epochs, double finalTrainLoss) {}

  private Run fit(List<Phase> phases) {
    Trainer t = new Trainer(be, model, phases, TrainingConfig.of(0, 20), new RandomStreams(9));
    List<EpochMetrics> seen = new ArrayList<>();
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        seen.add(m);
      }
    });
    try (ParameterSet p = t.initialize()) {
      TrainingResult r = t.fit(p, data.train(), data.test());
      return new Run(r, seen, t.evaluate(p, data.train()).loss());
    }
  }

  @Test
  void adamThenLbfgsLowersTheTrainingLossInTheLbfgsPhase() {
    Run run = fit(List.of(
        Phase.of("adam", Optimizers.adam(0.01), StoppingRule.epochs(2)),
        Phase.ofBatchMethod("lbfgs", Lbfgs.strongWolfe(1, 1, 10), StoppingRule.steps(3))));
    List<EpochMetrics> seen = run.epochs();
    assertEquals(List.of("adam", "adam", "lbfgs", "lbfgs", "lbfgs"), seen.stream().map(EpochMetrics::phase).toList());
    assertEquals(2, run.result().phases().size());
    PhaseResult lbfgs = run.result().phases().get(1);
    assertEquals("lbfgs", lbfgs.name());
    assertEquals(3, lbfgs.steps());
    assertEquals(3, lbfgs.epochs());
    assertTrue(lbfgs.stopReason().startsWith("3 step") && !lbfgs.stopReason().contains("warning"), lbfgs.stopReason());
    assertEquals(20 + 3, run.result().steps());
    // the L-BFGS epochs record the full-batch loss before each step: it falls, and the end is lower still
    double[] before = seen.subList(2, 5).stream().mapToDouble(EpochMetrics::trainLoss).toArray();
    System.out.printf(Locale.ROOT, "Adam -> L-BFGS: full-batch train loss before L-BFGS steps %s, after %.6f%n", java.util.Arrays.toString(before),
        run.finalTrainLoss());
    assertTrue(before[1] < before[0] && before[2] < before[1], java.util.Arrays.toString(before));
    assertTrue(run.finalTrainLoss() < before[2]);
    assertEquals(200, seen.get(2).batchSize());
    assertTrue(seen.get(2).hyperparameters().get("batch.values") >= 2, seen.get(2).hyperparameters().toString());
    assertTrue(seen.get(2).hyperparameters().containsKey("lbfgs.H_diag"));
  }

  @Test
  void aBatchMethodOnMinibatchesIsRecordedWithAWarning() {
    Run run = fit(List.of(Phase.ofBatchMethod("cg", NonlinearConjugateGradient.polakRibiere(), StoppingRule.epochs(1)).withBatchSize(e -> 50)));
    PhaseResult r = run.result().phases().get(0);
    assertEquals(4, r.steps());
    assertTrue(r.stopReason().startsWith("1 epoch") && r.stopReason().contains("warning: cg(") && r.stopReason().contains("minibatches"),
        r.stopReason());
    assertEquals(1.0, run.epochs().get(0).hyperparameters().get("batch.minibatch"));
  }

  @Test
  void phasesHoldExactlyOneKindOfOptimizer() {
    assertThrows(IllegalArgumentException.class, () -> new Phase("x", Optimizers.sgd(0.1), StoppingRule.epochs(1), false, null, Lbfgs.defaults()));
    assertThrows(IllegalArgumentException.class, () -> Phase.ofBatchMethod("x", Lbfgs.defaults(), StoppingRule.epochs(1)).carryingState());
    Phase p = new Phase("x", Optimizers.sgd(0.1), StoppingRule.epochs(1), false, null);
    assertTrue(!p.isBatchMethod() && p.batchMethod() == null);
  }
}
