package dev.gradus.engine.pytorch;

import dev.gradus.engine.testkit.TrainingFixtures;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.NonFiniteValueException;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerTest {
  private Backend torch;
  private final Split shapes = TrainingFixtures.smallShapes(3, 600, 200);

  @BeforeAll
  void open() {
    torch = new PyTorchBackend(Device.CPU, 1);
  }

  @AfterAll
  void close() {
    torch.close();
  }

  @Test
  void sameSeedGivesBitIdenticalLossesAndParameters() {
    TrainingConfig cfg = TrainingConfig.of(2, 32);
    var a = TrainingFixtures.train(torch, shapes, 11, cfg, 0.05);
    var b = TrainingFixtures.train(torch, shapes, 11, cfg, 0.05);
    assertEquals(a.stepLosses(), b.stepLosses());
    for (String path : a.finalParameters().keySet()) {
      assertArrayEquals(a.finalParameters().get(path), b.finalParameters().get(path), 0.0, path);
    }
    var c = TrainingFixtures.train(torch, shapes, 12, cfg, 0.05);
    assertTrue(!a.stepLosses().equals(c.stepLosses()), "another seed must give another run");
  }

  @Test
  void pytorchBackendFollowsTheReferenceBackendStepForStep() {
    // float64 on both: only summation order differs, so losses agree to ~1e-12 over many steps
    TrainingConfig cfg = TrainingConfig.of(1, 50).withDtype(DType.FLOAT64);
    Split small = new Split(shapes.train().head(300), shapes.test().head(100));
    try (Backend ref = new ReferenceBackend()) {
      var r = TrainingFixtures.train(ref, small, 5, cfg, 0.1);
      var t = TrainingFixtures.train(torch, small, 5, cfg, 0.1);
      assertEquals(r.stepLosses().size(), t.stepLosses().size());
      for (int i = 0; i < r.stepLosses().size(); i++) {
        assertEquals(r.stepLosses().get(i), t.stepLosses().get(i), 1e-10, "step " + (i + 1));
      }
      assertEquals(r.result().last().testAccuracy(), t.result().last().testAccuracy(), 1e-12);
    }
  }

  @Test
  void float32TrainingTracksFloat64() {
    var f32 = TrainingFixtures.train(torch, shapes, 5, TrainingConfig.of(1, 50), 0.1);
    var f64 = TrainingFixtures.train(torch, shapes, 5, TrainingConfig.of(1, 50).withDtype(DType.FLOAT64), 0.1);
    for (int i = 0; i < f32.stepLosses().size(); i++) {
      assertEquals(f64.stepLosses().get(i), f32.stepLosses().get(i), 1e-4, "step " + (i + 1));
    }
  }

  @Test
  void divergingRunStopsWithStageEpochStepAndPlace() {
    // softmax regression with an absurd step: the first update makes logits overflow float32
    Model model = Model.builder(shapes.train().featureCount()).dense(3).build();
    Trainer trainer = new Trainer(torch, model, Optimizers.sgd(1e38), TrainingConfig.of(3, 32).withStage("warm-up"), new RandomStreams(1));
    try (var params = trainer.initialize()) {
      NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> trainer.fit(params, shapes.train(), shapes.test()));
      assertEquals("warm-up", e.stage());
      assertEquals(1, e.epoch());
      assertEquals(2, e.step());
      assertEquals("layers.0 (dense)", e.location());
      assertTrue(e.getMessage().startsWith("non-finite activation in stage 'warm-up', epoch 1, step 2, at layers.0 (dense)"), e.getMessage());
    }
  }

  @Test
  void nanInTheInputIsReportedAtTheFirstLayer() {
    Dataset train = shapes.train().head(64);
    float[] f = train.features().clone();
    f[5 * train.featureCount() + 3] = Float.NaN;
    Dataset poisoned = new Dataset("poisoned", f, train.size(), train.exampleShape(), train.labels(), 3, train.classNames(), Map.of());
    Model model = Model.builder(train.featureCount()).dense(8).relu().dense(3).build();
    TrainingConfig cfg = new TrainingConfig("train", 1, 64, false, 64, DType.FLOAT32, true);
    Trainer trainer = new Trainer(torch, model, Optimizers.sgd(0.1), cfg, new RandomStreams(1));
    try (var params = trainer.initialize()) {
      NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> trainer.fit(params, poisoned, shapes.test()));
      assertEquals("activation", e.quantity());
      assertEquals("layers.0 (dense)", e.location());
      assertEquals(1, e.step());
    }
  }

  @Test
  void dataThatDoesNotFitTheModelIsRejectedBeforeTraining() {
    Model model = Model.builder(10).dense(3).build();
    Trainer trainer = new Trainer(torch, model, Optimizers.sgd(0.1), TrainingConfig.of(1, 8), new RandomStreams(1));
    try (var params = trainer.initialize()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(params, shapes.train(), shapes.test()));
      assertTrue(e.getMessage().contains("256 features per example but the model takes 10"), e.getMessage());
    }
  }

  @Test
  void frozenParametersDoNotMove() {
    Model model = Model.builder(shapes.train().featureCount()).dense(16).tanh().dense(3).build();
    Trainer trainer = new Trainer(torch, model, Optimizers.sgd(0.1), TrainingConfig.of(1, 32), new RandomStreams(2));
    try (var params = trainer.initialize()) {
      params.get("layers.0.weight").setTrainable(false);
      double[] before = params.get("layers.0.weight").value().toDoubles();
      double[] headBefore = params.get("layers.2.weight").value().toDoubles();
      trainer.fit(params, shapes.train(), shapes.test());
      assertArrayEquals(before, params.get("layers.0.weight").value().toDoubles(), 0.0);
      assertTrue(!java.util.Arrays.equals(headBefore, params.get("layers.2.weight").value().toDoubles()));
      assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"), params.paths());
    }
  }
}
