package dev.gradus.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.schedule.ReduceOnPlateau;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.schedule.Schedules;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Optimizer pipelines: phases, stopping rules, validation split, early stopping, batch-size schedules. */
class PipelineTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(200, 60).withImageSize(8), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(64).dense(16, Activation.TANH).dense(3).build();

  private Trainer trainer(List<Phase> phases, TrainingConfig cfg) {
    return new Trainer(be, model, phases, cfg, new RandomStreams(9));
  }

  private TrainingResult fit(Trainer t, List<EpochMetrics> seen) {
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
  void phasesRunInOrderWithTheirOwnOptimizers() {
    List<Phase> phases = List.of(
        Phase.of("fast", Optimizers.sgd(0.5), StoppingRule.epochs(2)),
        Phase.of("slow", Optimizers.sgd(0.05), StoppingRule.epochs(1)));
    List<EpochMetrics> seen = new ArrayList<>();
    TrainingResult r = fit(trainer(phases, TrainingConfig.of(0, 20)), seen);
    assertEquals(List.of("fast", "fast", "slow"), seen.stream().map(EpochMetrics::phase).toList());
    assertEquals(List.of(1, 2, 3), seen.stream().map(EpochMetrics::epoch).toList());
    assertEquals(List.of(0.5, 0.5, 0.05), seen.stream().map(m -> m.hyperparameters().get("lr")).toList());
    assertEquals(2, r.phases().size());
    assertEquals("2 epochs", r.phases().get(0).stopReason());
    assertEquals(30, r.steps()); // 3 epochs of 200/20 batches
  }

  @Test
  void aStepBudgetStopsMidEpoch() {
    List<EpochMetrics> seen = new ArrayList<>();
    TrainingResult r = fit(trainer(List.of(Phase.of("short", Optimizers.sgd(0.1), StoppingRule.steps(13))), TrainingConfig.of(0, 20)), seen);
    assertEquals(13, r.steps());
    assertEquals(2, seen.size());
    assertEquals(13, seen.get(1).steps());
  }

  @Test
  void carriedStateContinuesTheStepCountAndFreshStateRestartsIt() {
    Schedule decaying = t -> 0.1 / (1 + t);
    GradientTransform a = Optimizers.sgd(decaying);
    List<EpochMetrics> carried = new ArrayList<>();
    fit(trainer(List.of(Phase.of("one", a, StoppingRule.epochs(1)), Phase.of("two", a, StoppingRule.epochs(1)).carryingState()),
        TrainingConfig.of(0, 20)), carried);
    // after 10 steps the next lr is 0.1/11; carried on, 20 steps: 0.1/21
    assertEquals(0.1 / 11, carried.get(0).hyperparameters().get("lr"), 1e-15);
    assertEquals(0.1 / 21, carried.get(1).hyperparameters().get("lr"), 1e-15);
    List<EpochMetrics> fresh = new ArrayList<>();
    fit(trainer(List.of(Phase.of("one", a, StoppingRule.epochs(1)), Phase.of("two", a, StoppingRule.epochs(1))), TrainingConfig.of(0, 20)), fresh);
    assertEquals(0.1 / 11, fresh.get(1).hyperparameters().get("lr"), 1e-15);
  }

  @Test
  void batchSizeMayGrowWithTheEpoch() {
    Phase growing = Phase.of("grow", Optimizers.sgd(0.1), StoppingRule.epochs(3)).withBatchSize(e -> 25 * Math.pow(2, e));
    List<EpochMetrics> seen = new ArrayList<>();
    TrainingResult r = fit(trainer(List.of(growing), TrainingConfig.of(0, 20)), seen);
    assertEquals(List.of(25, 50, 100), seen.stream().map(EpochMetrics::batchSize).toList());
    assertEquals(8 + 4 + 2, r.steps());
  }

  @Test
  void targetRuleStopsWhenTheTrainingLossIsLowEnough() {
    List<EpochMetrics> seen = new ArrayList<>();
    TrainingResult r = fit(trainer(List.of(Phase.of("t", Optimizers.sgd(0.3), StoppingRule.target("train.loss", 1.0, 50))),
        TrainingConfig.of(0, 20)), seen);
    EpochMetrics last = seen.get(seen.size() - 1);
    assertTrue(last.trainLoss() <= 1.0, "stopped at train loss " + last.trainLoss());
    for (int i = 0; i < seen.size() - 1; i++) assertTrue(seen.get(i).trainLoss() > 1.0);
    assertTrue(r.phases().get(0).stopReason().startsWith("reached train.loss <= 1.0"), r.phases().get(0).stopReason());
  }

  @Test
  void validationIsHeldOutDeterministicallyAndDisjointly() {
    Trainer t = trainer(List.of(), TrainingConfig.of(0, 20).withValidationFraction(0.25));
    Holdout s1 = t.holdOutValidation(data.train());
    Holdout s2 = t.holdOutValidation(data.train());
    assertEquals(150, s1.train().size());
    assertEquals(50, s1.validation().size());
    assertTrue(Arrays.equals(s1.validation().features(), s2.validation().features()));
    Set<String> trainRows = new HashSet<>();
    for (int i = 0; i < s1.train().size(); i++) trainRows.add(Arrays.toString(Arrays.copyOfRange(s1.train().features(), i * 64, i * 64 + 64)));
    for (int i = 0; i < s1.validation().size(); i++) {
      assertTrue(!trainRows.contains(Arrays.toString(Arrays.copyOfRange(s1.validation().features(), i * 64, i * 64 + 64))));
    }
  }

  @Test
  void earlyStoppingRestoresTheParametersOfTheBestValidationEpoch() {
    // a large step makes the validation loss wander, so the best epoch is not the last
    TrainingConfig cfg = TrainingConfig.of(0, 10).withValidationFraction(0.3);
    Trainer t = trainer(List.of(Phase.of("es", Optimizers.sgd(2.0), StoppingRule.earlyStopping("validation.loss", 2, 0.0, 30))), cfg);
    List<EpochMetrics> seen = new ArrayList<>();
    t.addListener(new TrainingListener() {
      @Override
      public void onEpoch(EpochMetrics m) {
        seen.add(m);
      }
    });
    try (ParameterSet p = t.initialize()) {
      TrainingResult r = t.fit(p, data.train(), data.test());
      EpochMetrics best = seen.stream().min((x, y) -> Double.compare(x.validationLoss(), y.validationLoss())).orElseThrow();
      PhaseResult phase = r.phases().get(0);
      assertEquals(best.epoch(), phase.restoredEpoch(), "restored epoch; validation losses "
          + seen.stream().map(EpochMetrics::validationLoss).toList());
      assertTrue(phase.restoredEpoch() < seen.size(), "the best epoch must not be the last for this test to mean something");
      Dataset validation = t.holdOutValidation(data.train()).validation();
      assertEquals(best.validationLoss(), t.evaluate(p, validation).loss(), 1e-12);
    }
  }

  @Test
  void reduceOnPlateauSchedulesAreFedAfterEveryEpochEvenWhenNested() {
    // MAX mode on a falling training loss: no epoch after the first counts as an improvement; with
    // patience 1 (torch: reduce when bad epochs > patience) the observation after epoch 3 cuts the
    // rate and the one after epoch 5 would cut it again. Metrics record the rate in force when
    // the epoch ended, before that epoch's observation: 0.2, 0.2, 0.2, 0.02, 0.02
    var plateau = ReduceOnPlateau.builder(Schedule.constant(0.2), "train.loss").mode(ReduceOnPlateau.Mode.MAX).factor(0.1).patience(1).build();
    Schedule nested = Schedules.warmup(plateau, 0);
    List<EpochMetrics> seen = new ArrayList<>();
    fit(trainer(List.of(Phase.of("p", Optimizers.sgd(nested), StoppingRule.epochs(5))), TrainingConfig.of(0, 20)), seen);
    List<Double> lrs = seen.stream().map(m -> m.hyperparameters().get("lr")).toList();
    assertEquals(0.2, lrs.get(0), 1e-15);
    assertEquals(0.2, lrs.get(1), 1e-15);
    assertEquals(0.2, lrs.get(2), 1e-15);
    assertEquals(0.02, lrs.get(3), 1e-15);
    assertEquals(0.02, lrs.get(4), 1e-15);
    assertEquals(2, plateau.reductions());
  }

  @Test
  void decisionsOnTheTestSplitAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoppingRule.target("test.accuracy", 0.9, 10));
    assertTrue(e.getMessage().contains("the test split is only reported"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StoppingRule.earlyStopping("train.loss", 2, 0, 10));
  }

  @Test
  void aValidationDecisionWithoutAValidationSplitFailsBeforeTraining() {
    List<EpochMetrics> seen = new ArrayList<>();
    Trainer t = trainer(List.of(Phase.of("p", Optimizers.sgd(0.1), StoppingRule.plateau("validation.loss", 2, 0, 10))), TrainingConfig.of(0, 20));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(t, seen));
    assertTrue(e.getMessage().contains("no validation split"), e.getMessage());
    assertTrue(seen.isEmpty());
  }
}
