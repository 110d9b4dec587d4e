package dev.gradus.engine.nd4j;

import dev.gradus.engine.testkit.TrainingFixtures;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.data.Split;
import dev.gradus.engine.nn.BatchNorm;
import dev.gradus.engine.nn.Dropout;
import dev.gradus.engine.nn.ElmanRnn;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Residual;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.ActivationLayer;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Backends;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.TrainingConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** End to end: the ND4J backend trains the same runs as the reference backend, step for step. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Nd4jTrainerTest {
  private Backend nd4j;
  private final Split shapes = TrainingFixtures.smallShapes(3, 600, 200);

  @BeforeAll
  void open() {
    nd4j = Backends.create("nd4j", Device.CPU, 1);
  }

  @AfterAll
  void close() {
    nd4j.close();
  }

  @Test
  void registeredUnderItsName() {
    assertTrue(Backends.available().containsKey("nd4j"), Backends.available().keySet().toString());
    assertEquals("nd4j", nd4j.name());
    assertTrue(nd4j.description().startsWith("nd4j (nd4j-native 1.0.0-M2.1"), nd4j.description());
  }

  @Test
  void float32MlpFollowsTheReferenceBackendForHundredsOfSteps() {
    // 600 examples, batch 32, 16 epochs: 304 SGD steps; float32 on both, only summation order differs
    TrainingConfig cfg = TrainingConfig.of(16, 32);
    try (Backend ref = new ReferenceBackend()) {
      var r = TrainingFixtures.train(ref, shapes, 5, cfg, 0.05);
      var n = TrainingFixtures.train(nd4j, shapes, 5, cfg, 0.05);
      assertEquals(r.stepLosses().size(), n.stepLosses().size());
      assertTrue(r.stepLosses().size() >= 300, "steps: " + r.stepLosses().size());
      double worst = 0;
      for (int i = 0; i < r.stepLosses().size(); i++) {
        double diff = Math.abs(r.stepLosses().get(i) - n.stepLosses().get(i));
        worst = Math.max(worst, diff);
        assertEquals(r.stepLosses().get(i), n.stepLosses().get(i), 1e-4, "step " + (i + 1));
      }
      System.out.printf("nd4j vs reference, float32 MLP, %d steps: max |loss difference| %.3g, final losses %.6f / %.6f%n",
          r.stepLosses().size(), worst, r.stepLosses().get(r.stepLosses().size() - 1), n.stepLosses().get(n.stepLosses().size() - 1));
      assertEquals(r.result().last().testAccuracy(), n.result().last().testAccuracy(), 0.011);
    }
  }

  @Test
  void float64MlpFollowsTheReferenceBackendToRoundOff() {
    TrainingConfig cfg = TrainingConfig.of(1, 50).withDtype(DType.FLOAT64);
    Split small = new Split(shapes.train().head(300), shapes.test().head(100));
    try (Backend ref = new ReferenceBackend()) {
      var r = TrainingFixtures.train(ref, small, 5, cfg, 0.1);
      var n = TrainingFixtures.train(nd4j, small, 5, cfg, 0.1);
      for (int i = 0; i < r.stepLosses().size(); i++) {
        assertEquals(r.stepLosses().get(i), n.stepLosses().get(i), 1e-10, "step " + (i + 1));
      }
      assertEquals(r.result().last().testAccuracy(), n.result().last().testAccuracy(), 1e-12);
    }
  }

  @Test
  void reluMlpWithALargeStepFollowsTheReferenceBackend() {
    // the quick start's shape of run (ReLU, lr 0.1, batch 64), on 16×16 images
    int in = shapes.train().featureCount();
    Model relu = Model.builder(in).dense(64).relu().dense(64).relu().dense(3).build();
    Split small = new Split(shapes.train().head(320), shapes.test().head(100));
    try (Backend ref = new ReferenceBackend()) {
      for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) {
        TrainingConfig cfg = TrainingConfig.of(2, 64).withDtype(t);
        var r = TrainingFixtures.train(ref, relu, small, 7, cfg, 0.1);
        var n = TrainingFixtures.train(nd4j, relu, small, 7, cfg, 0.1);
        double worst = 0;
        for (int i = 0; i < r.stepLosses().size(); i++) worst = Math.max(worst, Math.abs(r.stepLosses().get(i) - n.stepLosses().get(i)));
        System.out.printf("nd4j vs reference, ReLU MLP lr 0.1, %s, %d steps: max |loss difference| %.3g%n", t, r.stepLosses().size(), worst);
        assertTrue(worst < (t == DType.FLOAT64 ? 1e-10 : 1e-4), t + ": max difference " + worst);
      }
    }
  }

  @Test
  void layersFollowTheReferenceBackend() {
    // batch norm, dropout and a residual block, then an Elman RNN over 16 steps of 16 pixels
    int in = shapes.train().featureCount();
    Model mixed = Model.builder(in).dense(24).layer(new BatchNorm(24)).relu().layer(new Dropout(24, 0.2))
        .layer(new Residual(List.of(new Dense(24, 24, true, new GlorotUniform(), Constant.ZEROS), new ActivationLayer(Activation.TANH, 24))))
        .dense(3).build();
    Model rnn = new Model(in, List.of(new ElmanRnn(in, 16, 12), new Dense(12, 3, true, new GlorotUniform(), Constant.ZEROS)));
    TrainingConfig cfg = TrainingConfig.of(1, 40).withDtype(DType.FLOAT64);
    Split small = new Split(shapes.train().head(200), shapes.test().head(80));
    for (Model m : List.of(mixed, rnn)) {
      try (Backend ref = new ReferenceBackend()) {
        var r = TrainingFixtures.train(ref, m, small, 9, cfg, 0.1);
        var n = TrainingFixtures.train(nd4j, m, small, 9, cfg, 0.1);
        assertEquals(r.stepLosses().size(), n.stepLosses().size());
        for (int i = 0; i < r.stepLosses().size(); i++) {
          assertEquals(r.stepLosses().get(i), n.stepLosses().get(i), 1e-9, m.layers() + " step " + (i + 1));
        }
      }
    }
  }

  @Test
  void sameSeedGivesBitIdenticalLosses() {
    TrainingConfig cfg = TrainingConfig.of(1, 32);
    var a = TrainingFixtures.train(nd4j, shapes, 11, cfg, 0.05);
    var b = TrainingFixtures.train(nd4j, shapes, 11, cfg, 0.05);
    assertEquals(a.stepLosses(), b.stepLosses());
    for (String path : a.finalParameters().keySet()) {
      assertArrayEquals(a.finalParameters().get(path), b.finalParameters().get(path), 0.0, path);
    }
  }

  @Test
  void missingCapabilitiesFailNamingTheOperationAndTheBackend() {
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.create("nd4j", Device.cuda(0), 1));
    assertTrue(e.getMessage().contains("nd4j") && e.getMessage().contains("cuda:0"), e.getMessage());
    try (MemoryScope s = nd4j.openScope()) {
      Tensor cube = nd4j.fromDoubles(new double[8], 2, 2, 2);
      var u = assertThrows(UnsupportedOperationException.class, () -> nd4j.matmul(cube, cube, false, false));
      assertEquals("backend 'nd4j' does not support operation 'matmul': needs matrices, got [2, 2, 2] and [2, 2, 2]", u.getMessage());
      Tensor labels = nd4j.fromInts(new int[] {1, 2});
      u = assertThrows(UnsupportedOperationException.class, () -> nd4j.exp(labels));
      assertTrue(u.getMessage().startsWith("backend 'nd4j' does not support operation 'exp'"), u.getMessage());
    }
  }

  @Test
  void closedScopesReleaseTheirTensors() {
    Tensor kept;
    Tensor dropped;
    try (MemoryScope s = nd4j.openScope()) {
      dropped = nd4j.fromDoubles(new double[] {1, 2}, 2);
      kept = nd4j.detach(nd4j.add(dropped, dropped));
    }
    assertTrue(((NdTensor) dropped).closed);
    assertThrows(IllegalStateException.class, dropped::toDoubles);
    assertArrayEquals(new double[] {2, 4}, kept.toDoubles(), 0.0);
    kept.close();
  }
}
