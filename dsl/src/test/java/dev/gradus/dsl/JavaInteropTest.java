package dev.gradus.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.train.EpochMetrics;
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
