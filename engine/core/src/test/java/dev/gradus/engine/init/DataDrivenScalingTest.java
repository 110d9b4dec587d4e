package dev.gradus.engine.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.DataDrivenScaling.Config;
import dev.gradus.engine.init.DataDrivenScaling.LayerScale;
import dev.gradus.engine.init.DataDrivenScaling.Measure;
import dev.gradus.engine.init.DataDrivenScaling.Result;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Data-driven scaling (§8.4 rule of thumb), ReferenceBackend in float64. */
class DataDrivenScalingTest {
  private final Backend be = new ReferenceBackend();
  private static final int BATCH = 128;

  private static float[] batch(int n, int width, long seed) {
    Random r = new Random(seed);
    float[] f = new float[n * width];
    for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
    return f;
  }

  private static Model deepTanh(int depth, int width, Initializer weights) {
    Model.Builder b = Model.builder(width).init(weights, Constant.ZEROS);
    for (int i = 0; i < depth; i++) b.dense(width, Activation.TANH);
    return b.build();
  }

  private ParameterSet init(Model m, long seed) {
    return m.initialize(be, DType.FLOAT64, new RandomStream("init", seed));
  }

  /** Pre-activation std and activation std of every layer, by a plain forward pass. */
  private double[][] stds(Model m, ParameterSet ps, float[] x) {
    double[][] s = new double[2][m.depth()];
    try (var scope = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var h = tape.constant(be.cast(be.fromFloats(x, BATCH, m.inputSize()), DType.FLOAT64), "x");
      for (int i = 0; i < m.depth(); i++) {
        Dense d = (Dense) m.layers().get(i);
        Var z = Ops.affine(h, tape.constant(ps.get("layers." + i + ".weight").value(), "w"), tape.constant(ps.get("layers." + i + ".bias").value(), "b"));
        h = d.activation().apply(z);
        s[0][i] = DataDrivenScaling.std(be.toDoubles(z.value()));
        s[1][i] = DataDrivenScaling.std(be.toDoubles(h.value()));
      }
    }
    return s;
  }

  @Test
  void linearLayerReachesTheTargetInOneIterationExactly() {
    Model m = Model.builder(20).init(new Normal(0.3), Constant.ZEROS).dense(30).build();
    try (ParameterSet ps = init(m, 1)) {
      float[] x = batch(BATCH, 20, 11);
      Result r = new DataDrivenScaling(new Config(2.5, 0.01, 10, Measure.PRE_ACTIVATION)).apply(be, m, ps, x, BATCH);
      assertEquals(1, r.layers().size());
      LayerScale l = r.layers().get(0);
      assertEquals(0, l.layerIndex());
      assertEquals(1, l.iterations());
      assertTrue(l.converged());
      assertEquals(2.5, l.stdAfter(), 1e-12);
      assertEquals(2.5 / l.stdBefore(), l.scale(), 1e-12);
      assertEquals(2.5, stds(m, ps, x)[0][0], 1e-12);
    }
  }

  @Test
  void deepTanhNetConvergesWithinTheIterationBound() {
    Model m = deepTanh(10, 64, new Normal(0.01));
    try (ParameterSet ps = init(m, 2)) {
      float[] x = batch(BATCH, 64, 12);
      double[][] beforeStds = stds(m, ps, x);
      assertTrue(beforeStds[0][9] < 1e-6, "deliberately too small weights should make the signal vanish: " + beforeStds[0][9]);
      Config c = new Config(1.0, 0.05, 10, Measure.PRE_ACTIVATION);
      Result r = new DataDrivenScaling(c).apply(be, m, ps, x, BATCH);
      assertEquals(10, r.layers().size());
      assertTrue(r.allConverged(), r.layers().toString());
      double[] pre = stds(m, ps, x)[0];
      for (int i = 0; i < 10; i++) {
        LayerScale l = r.layers().get(i);
        assertEquals(i, l.layerIndex());
        assertTrue(l.iterations() >= 1 && l.iterations() <= 10, l.toString());
        assertTrue(Math.abs(pre[i] - 1.0) <= 0.05, "layer " + i + " pre-activation std " + pre[i]);
        assertEquals(pre[i], l.stdAfter(), 1e-12);
        assertTrue(l.scale() > 1, l.toString());
      }
    }
  }

  @Test
  void activationMeasureOnTanhWithAReachableTarget() {
    Model m = deepTanh(5, 64, new Normal(0.01));
    try (ParameterSet ps = init(m, 3)) {
      float[] x = batch(BATCH, 64, 13);
      Result r = new DataDrivenScaling(new Config(0.6, 0.02, 20, Measure.ACTIVATION)).apply(be, m, ps, x, BATCH);
      assertTrue(r.allConverged(), r.layers().toString());
      double[] act = stds(m, ps, x)[1];
      for (int i = 0; i < 5; i++) {
        assertTrue(Math.abs(act[i] / 0.6 - 1) <= 0.02, "layer " + i + " activation std " + act[i]);
        assertEquals(act[i], r.layers().get(i).stdAfter(), 1e-12);
      }
    }
  }

  @Test
  void activationMeasureIncludesASeparateActivationLayer() {
    Model m = Model.builder(32).init(new Normal(0.01), Constant.ZEROS).dense(32).tanh().dense(8).build();
    try (ParameterSet ps = init(m, 4)) {
      float[] x = batch(BATCH, 32, 14);
      Result r = new DataDrivenScaling(new Config(0.5, 0.02, 20, Measure.ACTIVATION)).apply(be, m, ps, x, BATCH);
      assertEquals(2, r.layers().size());
      assertEquals(0, r.layers().get(0).layerIndex());
      assertEquals(2, r.layers().get(1).layerIndex());
      assertTrue(r.allConverged(), r.layers().toString());
    }
  }

  @Test
  void maxIterationsIsRespectedAndReportedForAnUnreachableTarget() {
    Model m = deepTanh(2, 16, new Normal(0.1));
    try (ParameterSet ps = init(m, 5)) {
      float[] x = batch(BATCH, 16, 15);
      Result r = new DataDrivenScaling(new Config(2.0, 0.05, 4, Measure.ACTIVATION)).apply(be, m, ps, x, BATCH);
      assertFalse(r.allConverged());
      for (LayerScale l : r.layers()) {
        assertEquals(4, l.iterations(), l.toString());
        assertFalse(l.converged());
        assertTrue(l.stdAfter() <= 1.0, l.toString());
        assertTrue(l.toString().contains("NOT converged"));
      }
    }
  }

  @Test
  void alreadyWithinToleranceMeansNoRescale() {
    Model m = Model.builder(20).init(new Normal(0.3), Constant.ZEROS).dense(30).build();
    try (ParameterSet ps = init(m, 6)) {
      float[] x = batch(BATCH, 20, 16);
      double std = stds(m, ps, x)[0][0];
      Map<String, double[]> before = ps.snapshot();
      Result r = new DataDrivenScaling(new Config(std, 0.05, 10, Measure.PRE_ACTIVATION)).apply(be, m, ps, x, BATCH);
      assertEquals(0, r.layers().get(0).iterations());
      assertEquals(1.0, r.layers().get(0).scale(), 0.0);
      assertTrue(java.util.Arrays.equals(before.get("layers.0.weight"), ps.snapshot().get("layers.0.weight")));
    }
  }

  @Test
  void deterministic() {
    Model m = deepTanh(4, 32, new Normal(0.05));
    float[] x = batch(BATCH, 32, 17);
    Config c = new Config(1.0, 0.05, 10, Measure.PRE_ACTIVATION);
    try (ParameterSet a = init(m, 7); ParameterSet b = init(m, 7)) {
      Result ra = new DataDrivenScaling(c).apply(be, m, a, x, BATCH);
      Result rb = new DataDrivenScaling(c).apply(be, m, b, x, BATCH);
      assertEquals(ra, rb);
      for (String p : a.paths()) assertTrue(java.util.Arrays.equals(a.snapshot().get(p), b.snapshot().get(p)), p);
    }
  }

  @Test
  void badArgumentsAreRejectedWithClearMessages() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(0, 0.05, 10, Measure.ACTIVATION)).getMessage().contains("targetStd must be > 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(Double.NaN, 0.05, 10, Measure.ACTIVATION)).getMessage().contains("targetStd"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(Double.POSITIVE_INFINITY, 0.05, 10, Measure.ACTIVATION)).getMessage().contains("finite"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(1, 0, 10, Measure.ACTIVATION)).getMessage().contains("tolerance"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(1, 1.5, 10, Measure.ACTIVATION)).getMessage().contains("tolerance"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(1, 0.05, 0, Measure.ACTIVATION)).getMessage().contains("maxIterations must be >= 1"));
    assertThrows(IllegalArgumentException.class, () -> new Config(1, 0.05, 10, null));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Measure.parse("post")).getMessage().contains("pre-activation, activation"));
    assertEquals(Measure.PRE_ACTIVATION, Measure.parse("pre-activation"));
    assertEquals(Measure.ACTIVATION, Measure.parse("ACTIVATION"));
    Model m = deepTanh(1, 4, new Normal(0.1));
    try (ParameterSet ps = init(m, 8)) {
      DataDrivenScaling d = new DataDrivenScaling(Config.defaults());
      assertTrue(assertThrows(IllegalArgumentException.class, () -> d.apply(be, m, ps, new float[12], 4)).getMessage().contains("batchSize × inputSize"));
      assertThrows(IllegalArgumentException.class, () -> d.apply(be, m, ps, new float[4], 1));
    }
  }

  @Test
  void theGradientCheckFlagsLayersWhoseBackPropagatedGradientShrinks() {
    int width = 32;
    int depth = 5;
    float[] x = batch(BATCH, width, 21);
    int[] labels = new int[BATCH];
    for (int e = 0; e < BATCH; e++) labels[e] = e % width;
    // a deep linear net with orthogonal weights preserves the gradient's norm exactly; times 0.5 it halves it per layer
    for (double gain : new double[] {1.0, 0.5}) {
      Model.Builder b = Model.builder(width).init(new Orthogonal(gain), Constant.ZEROS);
      for (int l = 0; l < depth; l++) b.dense(width);
      Model m = b.build();
      try (ParameterSet ps = init(m, 9)) {
        var report = DataDrivenScaling.checkGradients(be, m, ps, x, labels, dev.gradus.engine.train.Loss.SOFTMAX_CROSS_ENTROPY, 0.1);
        assertEquals(depth, report.size());
        assertEquals(1.0, report.get(depth - 1).ratio(), 0.0);
        double lowest = report.get(0).ratio();
        if (gain == 1.0) {
          assertTrue(report.stream().allMatch(DataDrivenScaling.LayerGradient::withinTolerance), report.toString());
        } else {
          assertEquals(Math.pow(0.5, depth - 1), lowest, 0.15 * Math.pow(0.5, depth - 1), report.toString());
          assertFalse(report.get(0).withinTolerance());
        }
      }
    }
  }
}
