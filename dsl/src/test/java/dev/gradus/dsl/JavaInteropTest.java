package dev.gradus.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.train.EpochMetrics;
import dev.gradus.engine.train.Phase;
import dev.gradus.engine.train.PhaseResult;
import dev.gradus.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Everything a Kotlin script declares is reachable from Java: builders, spec classes, JSON. */
class JavaInteropTest {
  /** Small, easy shapes: white on black, no rotation, 16x16 pixels. */
  private static ShapesetSpec smallShapes() {
    return Specs.shapeset(Shapeset.Family.BASIC, 600, 200, 16, 0.5, 0.9, false, 0.0, false);
  }

  private static ExperimentSpec built() {
    return Experiments.experiment("java-builder", e -> {
      e.setSeed(11);
      e.setData(smallShapes());
      e.model(m -> {
        m.dense(64, Activation.TANH);
        m.dense(32, Activation.RELU, Specs.glorotUniform(1.0), Specs.constant(0.01));
        m.output(3);
      });
      e.setOptimizer(Specs.sgd(0.1));
      e.train(t -> {
        t.setEpochs(1);
        t.setBatchSize(16);
        t.setEvalBatchSize(100);
      });
    });
  }

  private static final String JSON = """
      {
        "name": "java-json",
        "seed": 11,
        "backend": "pytorch",
        "data": {"type": "shapeset", "family": "basic", "train": 600, "test": 200, "imageSize": 16,
                 "minSize": 0.5, "maxSize": 0.9, "rotate": false, "greyLevels": false},
        "model": {"layers": [
          {"type": "dense", "units": 64, "activation": "tanh"},
          {"type": "dense", "units": 32, "activation": "relu",
           "biasInit": {"name": "constant", "args": {"value": 0.01}}},
          {"type": "dense", "units": 3}
        ]},
        "optimizer": {"type": "sgd", "lr": 0.1},
        "train": {"epochs": 1, "batchSize": 16, "evalBatchSize": 100}
      }
      """;

  /** The same experiment from the spec classes' constructors (overloads cover the defaults). */
  private static ExperimentSpec direct(String name) {
    return new ExperimentSpec(
        1, name, 11, "pytorch", "cpu", "float32",
        new ShapesetSpec("basic", 600, 200, 16, 0.5, 0.9, false, 0.0, false),
        new ModelSpec(List.of(
            new DenseSpec(64, "tanh"),
            new DenseSpec(32, "relu", InitSpec.glorotUniform(), InitSpec.constant(0.01)),
            new DenseSpec(3))),
        new SgdSpec(0.1),
        new TrainSpec(1, 16, true, 100));
  }

  @Test
  void builderSpecEqualsDirectlyConstructedSpec() {
    assertEquals(direct("java-builder"), built());
    assertEquals(List.of(), Experiments.validate(built()));
  }

  @Test
  void jsonSpecEqualsDirectlyConstructedSpecAndRoundTrips() {
    ExperimentSpec fromJson = Experiments.fromJson(JSON);
    assertEquals(direct("java-json"), fromJson);
    assertEquals(fromJson, Experiments.fromJson(Experiments.toJson(fromJson)));
    assertTrue(Experiments.toJson(fromJson).contains("\"type\": \"shapeset\""));
  }

  @Test
  void problemsAndFormatErrorsReachJava() {
    ExperimentSpec bad = new ExperimentSpec("bad name", smallShapes(),
        new ModelSpec(List.of(new DenseSpec(0, "relu"))), new SgdSpec(-1));
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Experiments.compile(bad));
    assertEquals(List.of("name", "model.layers[0].units", "optimizer.lr"),
        e.getProblems().stream().map(SpecProblem::getPath).toList());
    assertTrue(e.getMessage().contains("\noptimizer.lr: must be > 0 and finite, got -1.0"), e.getMessage());
    SpecFormatException f = assertThrows(SpecFormatException.class, () -> Experiments.fromJson("{\"name\": 3}"));
    assertTrue(f.getMessage().contains("$"), f.getMessage());
  }

  /** Adam for one epoch, then SGD with momentum and a scheduled learning rate until the validation loss plateaus. */
  private static ExperimentSpec javaPipeline() {
    return Experiments.experiment("java-pipeline", e -> {
      e.setSeed(3);
      e.setData(smallShapes());
      e.model(m -> {
        m.dense(32, Activation.TANH);
        m.output(3);
      });
      e.setOptimizer(Specs.pipeline(p -> {
        p.phase("adam", Specs.epochs(1), Specs.chain(Specs.clipByGlobalNorm(1.0), Specs.adam(1e-2)));
        p.phase("sgd", Specs.plateau("validation.loss", 1, 2),
            Specs.groups(Specs.sgd(Specs.cosine(0.05, 100), Specs.fixed(0.9)), g ->
                g.group("biases", "**.bias", Specs.sgd(0.05, 0.9))),
            false, null);
      }));
      e.train(t -> {
        t.setBatchSize(16);
        t.setEvalBatchSize(100);
        t.setValidationFraction(0.2);
      });
    });
  }

  @Test
  void pipelineBuiltInJavaEqualsTheSpecClassesAndCompilesToPhases() {
    ExperimentSpec spec = javaPipeline();
    PipelineSpec expected = new PipelineSpec(List.of(
        new PhaseSpec("adam",
            new ChainSpec(List.of(new ClipByGlobalNormSpec(ScheduleSpec.constant(1.0)), new AdamSpec(ScheduleSpec.constant(1e-2)))),
            new EpochsStop(1)),
        new PhaseSpec("sgd",
            new GroupsSpec(
                List.of(new GroupSpec("biases", List.of("**.bias"), new SgdSpec(ScheduleSpec.constant(0.05), ScheduleSpec.constant(0.9)))),
                new SgdSpec(new CosineSchedule(0.05, 100), ScheduleSpec.constant(0.9))),
            new PlateauStop("validation.loss", 1, 2))));
    assertEquals(expected, spec.getOptimizer());
    assertEquals(0.2, spec.getTrain().getValidationFraction());
    assertEquals(List.of(), Experiments.validate(spec));
    assertEquals(spec, Experiments.fromJson(Experiments.toJson(spec)));
    assertTrue(Experiments.toJson(spec).contains("\"type\": \"pipeline\""));

    CompiledExperiment compiled = Experiments.compile(spec);
    assertTrue(compiled.isPipeline());
    List<Phase> phases = compiled.buildPhases();
    assertEquals(List.of("adam", "sgd"), phases.stream().map(Phase::name).toList());
    assertEquals(List.of("1 epoch", "plateau: validation.loss without improvement by more than 0.0 for 1 epoch (at most 2 epochs)"), phases.stream().map(p -> p.stop().describe()).toList());
    assertEquals(0.2, compiled.trainingConfig().validationFraction());

    // a validation metric without a hold-out is caught before training, at its path
    ExperimentSpec noHoldout = new ExperimentSpec(1, "no-holdout", 3, "pytorch", "cpu", "float32", spec.getData(), spec.getModel(),
        spec.getOptimizer(), new TrainSpec(1, 16, true, 100));
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Experiments.compile(noHoldout));
    assertEquals(List.of("optimizer.phases[1].until.metric"), e.getProblems().stream().map(SpecProblem::getPath).toList());
  }

  @Test
  void javaPipelineTrainsBothPhasesOnPyTorch() {
    ExperimentResult r = Experiments.compile(javaPipeline()).run(1, List.of());
    assertEquals(List.of("adam", "sgd"), r.getPhases().stream().map(PhaseResult::name).toList());
    assertEquals(1, r.getPhases().get(0).epochs());
    assertEquals(30L, r.getPhases().get(0).steps()); // 480 of 600 examples kept, batches of 16
    assertTrue(r.getPhases().get(1).epochs() >= 1 && r.getPhases().get(1).epochs() <= 2, r.getPhases().toString());
    assertEquals(1 + r.getPhases().get(1).epochs(), r.getResult().epochs().size());
    assertTrue(Double.isFinite(r.getResult().last().validationLoss()), r.getResult().last().toString());
  }

  @Test
  void builtAndJsonSpecsTrainForOneEpochOnPyTorch() {
    for (ExperimentSpec spec : List.of(built(), Experiments.fromJson(JSON))) {
      List<EpochMetrics> seen = new ArrayList<>();
      TrainingListener listener = new TrainingListener() {
        @Override
        public void onEpoch(EpochMetrics metrics) {
          seen.add(metrics);
        }
      };
      CompiledExperiment compiled = Experiments.compile(spec);
      ExperimentResult r = compiled.run(1, List.of(listener));
      EpochMetrics last = r.getResult().last();
      assertEquals(1, seen.size());
      assertEquals(38L, r.getResult().steps()); // ceil(600 / 16)
      assertEquals(256L * 64 + 64 + 64 * 32 + 32 + 32 * 3 + 3, r.getParameterCount());
      assertTrue(r.getBackendDescription().toLowerCase().contains("torch"), r.getBackendDescription());
      assertTrue(Double.isFinite(last.trainLoss()) && Double.isFinite(last.testLoss()), last.toString());
      System.out.println(spec.getName() + ": " + last);
      assertTrue(last.testAccuracy() > 0.5, "accuracy " + last.testAccuracy() + " is not above chance (1/3)");
    }
  }
}
