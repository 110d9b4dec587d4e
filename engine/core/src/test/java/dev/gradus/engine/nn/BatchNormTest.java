package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchNormTest {
  private Backend be;

  @BeforeAll
  void open() {
    be = new ReferenceBackend();
  }

  @AfterAll
  void close() {
    be.close();
  }

  @Test
  void gradientInTrainingModeFlowsThroughBatchStatistics() {
    GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 1), new BatchNorm(4), 6, 10);
    System.out.println("gradient check batch-norm (training): max error " + r.maxError() + " at " + r.where());
    assertTrue(r.maxError() < 1e-6, r.maxError() + " at " + r.where());
  }

  @Test
  void gradientInEvaluationModeUsesRunningStatistics() {
    GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.evaluation(be), new BatchNorm(4), 6, 20);
    System.out.println("gradient check batch-norm (evaluation): max error " + r.maxError() + " at " + r.where());
    assertTrue(r.maxError() < 1e-6, r.maxError() + " at " + r.where());
  }

  @Test
  void declaresScaleShiftAndRunningStatisticsBuffers() {
    List<ParameterDecl> ps = new BatchNorm(3).parameters();
    assertEquals(List.of("scale", "shift", "runningMean", "runningVar"), ps.stream().map(ParameterDecl::name).toList());
    assertEquals(List.of(false, false, true, true), ps.stream().map(ParameterDecl::buffer).toList());
    Model m = new Model(3, List.of(new BatchNorm(3)));
    var params = m.initialize(be, DType.FLOAT64, new RandomStream("init", 1));
    assertArrayEquals(new double[] {1, 1, 1}, params.get("layers.0.scale").value().toDoubles());
    assertArrayEquals(new double[] {0, 0, 0}, params.get("layers.0.shift").value().toDoubles());
    assertArrayEquals(new double[] {0, 0, 0}, params.get("layers.0.runningMean").value().toDoubles());
    assertArrayEquals(new double[] {1, 1, 1}, params.get("layers.0.runningVar").value().toDoubles());
    assertEquals(2, params.buffers().size());
    params.close();
  }

  @Test
  void runningStatisticsAfterTwoStepsAreTheEmaOfUnbiasedVarianceAndEvaluationUsesThem() {
    int batch = 5;
    int features = 3;
    double momentum = 0.2;
    double eps = 1e-5;
    Model m = new Model(features, List.of(new BatchNorm(features, momentum, eps)));
    var params = m.initialize(be, DType.FLOAT64, new RandomStream("init", 1));
    double[][] batches = {LayerGradientCheck.uniform(1, batch * features, -2, 3), LayerGradientCheck.uniform(2, batch * features, -1, 1)};
    double[] mean = new double[features];
    double[] var = {1, 1, 1};
    for (double[] x : batches) {
      try (MemoryScope s = be.openScope()) {
        Tape tape = Tape.training(be);
        m.forward(tape, params, tape.constant(be.fromDoubles(x, batch, features), "x"));
        assertEquals(List.of("layers.0.runningMean", "layers.0.runningVar"), List.copyOf(tape.bufferUpdates().keySet()));
        // what the training step does after its update
        for (Map.Entry<String, Tensor> e : tape.bufferUpdates().entrySet()) be.copyInto(params.get(e.getKey()).value(), e.getValue());
      }
      for (int j = 0; j < features; j++) {
        double mu = 0;
        for (int i = 0; i < batch; i++) mu += x[i * features + j];
        mu /= batch;
        double ss = 0;
        for (int i = 0; i < batch; i++) ss += (x[i * features + j] - mu) * (x[i * features + j] - mu);
        mean[j] = (1 - momentum) * mean[j] + momentum * mu;
        var[j] = (1 - momentum) * var[j] + momentum * ss / (batch - 1);
      }
    }
    assertArrayEquals(mean, params.get("layers.0.runningMean").value().toDoubles(), 1e-14);
    assertArrayEquals(var, params.get("layers.0.runningVar").value().toDoubles(), 1e-14);

    double[] x = LayerGradientCheck.uniform(3, 2 * features, -1, 1);
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      double[] y = m.forward(tape, params, tape.constant(be.fromDoubles(x, 2, features), "x")).value().toDoubles();
      double[] expected = new double[x.length];
      for (int k = 0; k < x.length; k++) expected[k] = (x[k] - mean[k % features]) / Math.sqrt(var[k % features] + eps);
      assertArrayEquals(expected, y, 1e-14);
      assertTrue(tape.bufferUpdates().isEmpty(), "evaluation must not touch the running statistics");
    }
    params.close();
  }

  @Test
  void trainingOutputIsNormalizedPerFeature() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var x = tape.constant(be.fromDoubles(LayerGradientCheck.uniform(4, 40, -3, 5), 10, 4), "x");
      double[] y = new BatchNorm(4).forward(x, bound(tape, 4)).value().toDoubles();
      for (int j = 0; j < 4; j++) {
        double mu = 0, sq = 0;
        for (int i = 0; i < 10; i++) mu += y[i * 4 + j] / 10;
        for (int i = 0; i < 10; i++) sq += (y[i * 4 + j] - mu) * (y[i * 4 + j] - mu) / 10;
        assertEquals(0, mu, 1e-12);
        assertEquals(1, sq, 1e-4); // ε keeps it just under 1
      }
    }
  }

  @Test
  void rejectsBadConfigurationAndBatchesOfOne() {
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(0));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(3, 1.5, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(3, 0.1, 0));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var one = tape.constant(be.fromDoubles(new double[] {1, 2, 3}, 1, 3), "x");
      var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm(3).forward(one, bound(tape, 3)));
      assertTrue(e.getMessage().contains("more than 1"), e.getMessage());
      Var wide = tape.constant(be.fromDoubles(new double[] {1, 2, 3, 4}, 2, 2), "x");
      e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm(3).forward(wide, bound(tape, 3)));
      assertTrue(e.getMessage().contains("[batch, 3]"), e.getMessage());
    }
  }

  /** Fresh parameters and buffers on {@code tape}: scale 1, shift 0, running mean 0, variance 1. */
  private java.util.function.Function<String, Var> bound(Tape tape, int n) {
    Map<String, Var> m = Map.of(
        "scale", tape.leaf(be.full(DType.FLOAT64, 1, n), "scale"),
        "shift", tape.leaf(be.full(DType.FLOAT64, 0, n), "shift"),
        "runningMean", tape.constant(be.full(DType.FLOAT64, 0, n), "runningMean"),
        "runningVar", tape.constant(be.full(DType.FLOAT64, 1, n), "runningVar"));
    return m::get;
  }
}
