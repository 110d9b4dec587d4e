package dev.gradus.engine.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.Phase;
import dev.gradus.engine.train.StoppingRule;
import dev.gradus.engine.train.Trainer;
import dev.gradus.engine.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IllConditioningMonitorTest {
  private final Backend be = new ReferenceBackend();
  private final Split data = Shapeset.generate(ShapesetConfig.basic(120, 40).withImageSize(6), new RandomStreams(4).stream(RandomStreams.DATA));
  private final Model model = Model.builder(36).dense(12, Activation.TANH).dense(8, Activation.TANH).dense(3).build();
  private final Dataset probe = data.train().head(32);

  private Trainer trainer(int epochs) {
    return new Trainer(be, model, List.of(Phase.of("main", Optimizers.sgd(0.2), StoppingRule.epochs(epochs))), TrainingConfig.of(0, 20),
        new RandomStreams(9));
  }

  private IllConditioningMonitor monitor(ParameterSet p, int everyEpochs, int everySteps, List<CurvatureSnapshot> sink) {
    return new IllConditioningMonitor(be, model, p, probe.features(), probe.labels(), Loss.SOFTMAX_CROSS_ENTROPY, everyEpochs, everySteps,
        Double.NaN, sink::add);
  }

  @Test
  void measuresAtInitializationAndAfterEveryEpochWithTheOptimizersLearningRate() {
    Trainer t = trainer(3);
    List<CurvatureSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = t.initialize()) {
      IllConditioningMonitor m = monitor(p, 1, 0, seen);
      t.addListener(m);
      t.fit(p, data.train(), data.test());
      assertEquals(List.of(0, 1, 2, 3), seen.stream().map(CurvatureSnapshot::epoch).toList());
      assertEquals(List.of(0L, 6L, 12L, 18L), seen.stream().map(CurvatureSnapshot::step).toList());
      assertEquals(seen, m.snapshots());
      assertEquals("main", seen.get(0).phase());
      // no learning rate known before the first epoch reports one
      assertTrue(Double.isNaN(seen.get(0).learningRate()) && Double.isNaN(seen.get(0).predictedChange()));
      for (CurvatureSnapshot s : seen.subList(1, 4)) {
        assertEquals(0.2, s.learningRate(), 1e-7);
        assertEquals(CurvatureSnapshot.predictedChange(s.learningRate(), s.gTg(), s.gTHg()), s.predictedChange(), 0.0);
      }
      for (CurvatureSnapshot s : seen) {
        assertTrue(s.gTg() > 0 && Double.isFinite(s.gTHg()), s.toString());
        assertEquals(Math.sqrt(s.gTg()), s.gradientNorm(), 0.0);
        System.out.println("[curvature] monitor " + s.metrics());
      }
      // the last snapshot is the measurement at the final parameters
      double[] x = new double[probe.features().length];
      for (int i = 0; i < x.length; i++) x[i] = probe.features()[i];
      BatchObjective obj = BatchObjective.of(be, model, Loss.SOFTMAX_CROSS_ENTROPY, DType.FLOAT32, x, probe.labels());
      Map<String, Tensor> g = obj.gradient(p);
      assertEquals(ParameterVectors.dot(g, g), seen.get(3).gTg(), 0.0);
      assertEquals(ParameterVectors.dot(g, obj.hessianVector(p, g)), seen.get(3).gTHg(), 0.0);
      assertEquals(List.of(CurvatureSnapshot.G_T_G, CurvatureSnapshot.G_T_H_G, CurvatureSnapshot.PREDICTED_CHANGE,
          CurvatureSnapshot.GRADIENT_NORM), List.copyOf(seen.get(3).metrics().keySet()));
    }
  }

  @Test
  void measuresEveryNthStep() {
    Trainer t = trainer(2);
    List<CurvatureSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = t.initialize()) {
      t.addListener(new IllConditioningMonitor(be, model, p, probe.features(), probe.labels(), Loss.SOFTMAX_CROSS_ENTROPY, 0, 4, 0.2,
          seen::add));
      t.fit(p, data.train(), data.test());
    }
    assertEquals(List.of(0L, 4L, 8L, 12L), seen.stream().map(CurvatureSnapshot::step).toList());
    // the default learning rate is used until an epoch reports "lr"
    assertEquals(0.2, seen.get(0).learningRate(), 0.0);
  }

  @Test
  void monitoringDoesNotChangeTraining() {
    Map<String, double[]> plain;
    Trainer a = trainer(3);
    try (ParameterSet p = a.initialize()) {
      a.fit(p, data.train(), data.test());
      plain = p.snapshot();
    }
    Map<String, double[]> monitored;
    Trainer b = trainer(3);
    List<CurvatureSnapshot> seen = new ArrayList<>();
    try (ParameterSet p = b.initialize()) {
      b.addListener(monitor(p, 1, 5, seen));
      b.fit(p, data.train(), data.test());
      monitored = p.snapshot();
    }
    assertEquals(4 + 3, seen.size());
    assertEquals(plain.keySet(), monitored.keySet());
    for (String k : plain.keySet()) assertArrayEquals(plain.get(k), monitored.get(k), k);
  }

  /** The book's prediction −εgᵀg + ½ε²gᵀHg matches the actual change of a gradient step up to O(ε³). */
  @Test
  void predictedChangeMatchesTheActualChangeToThirdOrder() {
    Model m = Fixtures.mlp(Activation.TANH);
    ParameterSet p = Fixtures.params(be, m, 5);
    BatchObjective obj = Fixtures.objective(be, m, Loss.SOFTMAX_CROSS_ENTROPY, 5);
    Map<String, Tensor> g = obj.gradient(p);
    double j0 = obj.value(p);
    double previous = Double.NaN;
    for (double eps : new double[] {0.02, 0.01, 0.005}) {
      CurvatureSnapshot s = CurvatureSnapshot.measure(obj, p, eps, 0, 0, "");
      double actual = obj.value(FiniteDifferenceHvp.shifted(p, g, -eps)) - j0;
      double err = Math.abs(actual - s.predictedChange());
      System.out.println("[curvature] ε=" + eps + ": predicted " + s.predictedChange() + ", actual " + actual + ", |diff| " + err);
      if (!Double.isNaN(previous)) {
        double ratio = err / previous;
        assertTrue(ratio > 1.0 / 16 && ratio < 1.0 / 4, "halving ε should divide the error by about 8, got " + ratio);
      }
      previous = err;
    }
  }

  @Test
  void refusesBadArguments() {
    try (ParameterSet p = trainer(1).initialize()) {
      assertThrows(IllegalArgumentException.class, () -> new IllConditioningMonitor(be, model, p, probe.features(), probe.labels(),
          Loss.SOFTMAX_CROSS_ENTROPY, -1, 0, 0.1, null));
      assertThrows(IllegalArgumentException.class, () -> new IllConditioningMonitor(be, model, p, new float[3], probe.labels(),
          Loss.SOFTMAX_CROSS_ENTROPY, 1, 0, 0.1, null));
      assertThrows(IllegalArgumentException.class, () -> new IllConditioningMonitor(be, model, p, probe.features(), probe.labels(),
          Loss.SOFTMAX_CROSS_ENTROPY, 1, 0, -0.1, null));
    }
  }
}
