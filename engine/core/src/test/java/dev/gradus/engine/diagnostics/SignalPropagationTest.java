package dev.gradus.engine.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.Orthogonal;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalPropagationTest {
  private final Backend be = new ReferenceBackend();

  private void put(ParameterSet set, String path, double[] values, long... shape) {
    set.add(new Parameter(path, be.detach(be.fromDoubles(DType.FLOAT64, values, shape)), true));
  }

  @Test
  void identityLayerWithOrthogonalWeightsHasUnitSingularValues() {
    int n = 8;
    Model model = Model.builder(n).init(new Orthogonal(), Constant.ZEROS).dense(n, Activation.IDENTITY).build();
    try (ParameterSet params = model.initialize(be, DType.FLOAT64, new RandomStream("orth", 1))) {
      double[] w = be.toDoubles(params.get("layers.0.weight").value());
      double[][] m = new double[n][n];
      for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i][j] = w[i * n + j];
      for (double s : SymmetricEigen.singularValues(m)) assertEquals(1.0, s, 1e-10);
      RandomStream rng = new RandomStream("x", 2);
      double[] x = new double[3 * n];
      for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
      List<LayerStatistics> stats = SignalPropagation.measure(be, model, params, x, new int[] {0, 3, 7}, 3);
      assertEquals(1, stats.size());
      assertEquals(1.0, stats.get(0).meanJacobianSingularValue(), 1e-10);
      assertTrue(Double.isNaN(stats.get(0).saturationFraction()));
    }
  }

  @Test
  void tanhLayerJacobianMatchesTwoByTwoClosedForm() {
    Model model = Model.builder(2).dense(2, Activation.TANH).dense(2).build();
    ParameterSet params = new ParameterSet();
    double[] w = {0.8, -0.5, 0.3, 1.2};
    put(params, "layers.0.weight", w, 2, 2);
    put(params, "layers.0.bias", new double[] {0.1, -0.2}, 2);
    put(params, "layers.1.weight", new double[] {1, 0, 0, 1}, 2, 2);
    put(params, "layers.1.bias", new double[] {0, 0}, 2);
    double[] x = {0.6, -0.4};
    double z0 = w[0] * x[0] + w[1] * x[1] + 0.1;
    double z1 = w[2] * x[0] + w[3] * x[1] - 0.2;
    double d0 = 1 - Math.tanh(z0) * Math.tanh(z0);
    double d1 = 1 - Math.tanh(z1) * Math.tanh(z1);
    double a = d0 * w[0], b = d0 * w[1], c = d1 * w[2], d = d1 * w[3];
    double s = a * a + b * b + c * c + d * d;
    double det = a * d - b * c;
    double disc = Math.sqrt(s * s - 4 * det * det);
    double expected = (Math.sqrt((s + disc) / 2) + Math.sqrt((s - disc) / 2)) / 2;
    List<LayerStatistics> stats = SignalPropagation.measure(be, model, params, x, new int[] {1}, 1);
    assertEquals(expected, stats.get(0).meanJacobianSingularValue(), 1e-12);
    // the identity output layer's Jacobian is its identity weight
    assertEquals(1.0, stats.get(1).meanJacobianSingularValue(), 1e-12);
    params.close();
  }

  @Test
  void oneLayerStatisticsMatchHandComputation() {
    Model model = Model.builder(2).dense(2).build();
    ParameterSet params = new ParameterSet();
    put(params, "layers.0.weight", new double[] {1, 0, 0, 2}, 2, 2);
    put(params, "layers.0.bias", new double[] {0, 1}, 2);
    // x1 = (1, 1) → (1, 3); x2 = (3, −1) → (3, −1)
    double[] x = {1, 1, 3, -1};
    int[] labels = {0, 1};
    LayerStatistics st = SignalPropagation.measure(be, model, params, x, labels, 2).get(0);
    assertEquals(1.5, st.activationMean(), 1e-12);
    assertEquals(Math.sqrt(11.0 / 4), st.activationStd(), 1e-12);
    // dL/dlogits = (softmax − onehot) / batch
    double[][] logits = {{1, 3}, {3, -1}};
    double[][] g = new double[2][2];
    for (int e = 0; e < 2; e++) {
      double z = Math.exp(logits[e][0]) + Math.exp(logits[e][1]);
      for (int k = 0; k < 2; k++) g[e][k] = (Math.exp(logits[e][k]) / z - (labels[e] == k ? 1 : 0)) / 2;
    }
    double[] flat = {g[0][0], g[0][1], g[1][0], g[1][1]};
    assertEquals(SignalPropagation.meanStd(flat)[1], st.backpropGradientStd(), 1e-12);
    // dL/dW[k][j] = Σ_e g[e][k] x[e][j]
    double[][] xs = {{1, 1}, {3, -1}};
    double fro = 0;
    for (int k = 0; k < 2; k++)
      for (int j = 0; j < 2; j++) {
        double v = g[0][k] * xs[0][j] + g[1][k] * xs[1][j];
        fro += v * v;
      }
    assertEquals(Math.sqrt(fro), st.weightGradientNorm(), 1e-12);
    // singular values of diag(1, 2) average 1.5
    assertEquals(1.5, st.meanJacobianSingularValue(), 1e-12);
    params.close();
  }

  @Test
  void reluDeadFractionAndTanhSaturation() {
    Model model = Model.builder(2).dense(3, Activation.RELU).dense(2, Activation.TANH).dense(2).build();
    ParameterSet params = new ParameterSet();
    // unit 0 alive on positive inputs, unit 1 = −x1 − x2 dead on them, unit 2 dead by its bias
    put(params, "layers.0.weight", new double[] {1, 0, -1, -1, 0, 1}, 3, 2);
    put(params, "layers.0.bias", new double[] {0, 0, -10}, 3);
    // tanh unit 0 = tanh(5·h0): saturated when h0 > 0.2944; unit 1 = tanh(0) never
    put(params, "layers.1.weight", new double[] {5, 0, 0, 0, 0, 0}, 2, 3);
    put(params, "layers.1.bias", new double[] {0, 0}, 2);
    put(params, "layers.2.weight", new double[] {1, 0, 0, 1}, 2, 2);
    put(params, "layers.2.bias", new double[] {0, 0}, 2);
    double[] x = {0.1, 0.5, 1.0, 2.0, 3.0, 0.2, 0.25, 1.0};
    List<LayerStatistics> stats = SignalPropagation.measure(be, model, params, x, new int[] {0, 1, 0, 1}, 4);
    assertEquals(2.0 / 3, stats.get(0).saturationFraction(), 1e-12);
    // h0 ∈ {0.1, 1, 3, 0.25}: two of four tanh unit-0 outputs exceed 0.9, of eight outputs
    assertEquals(2.0 / 8, stats.get(1).saturationFraction(), 1e-12);
    assertEquals("dense+relu", stats.get(0).kind());
    assertTrue(Double.isNaN(stats.get(2).saturationFraction()));
    params.close();
  }
}
