package dev.gradus.engine.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GaussNewtonFisherTest {
  private final Backend be = new ReferenceBackend();

  @Test
  void gaussNewtonIsSymmetricPositiveSemidefinite() {
    double worstAsym = 0, mostNegative = 0;
    for (Activation a : List.of(Activation.RELU, Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS, Activation.IDENTITY)) {
      for (Loss loss : Loss.values()) {
        Model model = Fixtures.mlp(a);
        ParameterSet params = Fixtures.params(be, model, 21);
        BatchObjective obj = Fixtures.objective(be, model, loss, 4);
        for (int t = 0; t < 3; t++) {
          Map<String, Tensor> u = ParameterVectors.gaussian(params, new RandomStream("u", t));
          Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", t));
          double uGv = ParameterVectors.dot(u, obj.gaussNewtonVector(params, v));
          double vGu = ParameterVectors.dot(v, obj.gaussNewtonVector(params, u));
          double vGv = ParameterVectors.dot(v, obj.gaussNewtonVector(params, v));
          double asym = Math.abs(uGv - vGu) / Math.max(1.0, Math.abs(uGv));
          worstAsym = Math.max(worstAsym, asym);
          mostNegative = Math.min(mostNegative, vGv);
          assertTrue(asym < 1e-12, a + "/" + loss + ": uᵀGv " + uGv + " vs vᵀGu " + vGu);
          assertTrue(vGv >= -1e-14, a + "/" + loss + ": vᵀGv = " + vGv);
        }
      }
    }
    System.out.println("[curvature] GN symmetry max rel error " + worstAsym + ", most negative vᵀGv " + mostNegative);
  }

  /** All eigenvalues of the explicit GN matrix are ≥ 0 (PSD, not just on random directions). */
  @Test
  void explicitGaussNewtonHasNoNegativeEigenvalues() {
    Model model = Fixtures.mlp(Activation.TANH);
    ParameterSet params = Fixtures.params(be, model, 2);
    BatchObjective obj = Fixtures.objective(be, model, Loss.SOFTMAX_CROSS_ENTROPY, 3);
    double[][] g = Fixtures.matrix(params, v -> obj.gaussNewtonVector(params, v));
    double[] eig = dev.gradus.engine.diagnostics.SymmetricEigen.eigenvalues(Fixtures.symmetrized(g));
    double[][] h = Fixtures.matrix(params, v -> obj.hessianVector(params, v));
    double[] heig = dev.gradus.engine.diagnostics.SymmetricEigen.eigenvalues(Fixtures.symmetrized(h));
    System.out.println("[curvature] tanh MLP softmax CE: GN eigenvalues [" + eig[0] + ", " + eig[eig.length - 1] + "], Hessian ["
        + heig[0] + ", " + heig[heig.length - 1] + "]");
    assertTrue(eig[0] > -1e-12 * eig[eig.length - 1], "smallest GN eigenvalue " + eig[0]);
  }

  /** For a model linear in its parameters the Gauss-Newton matrix is the Hessian, for every loss. */
  @Test
  void gaussNewtonEqualsHessianForALinearModel() {
    double worst = 0;
    for (Loss loss : Loss.values()) {
      Model model = Fixtures.linear();
      ParameterSet params = Fixtures.params(be, model, 6);
      BatchObjective obj = Fixtures.objective(be, model, loss, 7);
      for (int t = 0; t < 3; t++) {
        Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", t));
        double err = Fixtures.maxError(ParameterVectors.flatten(obj.gaussNewtonVector(params, v)),
            ParameterVectors.flatten(obj.hessianVector(params, v)));
        worst = Math.max(worst, err);
        assertTrue(err < 1e-13, loss + ": " + err);
      }
      // the true Fisher is the Gauss-Newton matrix for these losses
      Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("f", 1));
      assertEquals(0.0, Fixtures.maxError(ParameterVectors.flatten(obj.fisherVector(params, v)),
          ParameterVectors.flatten(obj.gaussNewtonVector(params, v))), 0.0);
    }
    System.out.println("[curvature] GN vs Hessian, linear model, 3 losses: max error " + worst);
  }

  /** Jv from the double-backward trick against the finite difference of the outputs. */
  @Test
  void jacobianVectorMatchesFiniteDifferencesOfTheOutputs() {
    double worst = 0;
    for (Activation a : List.of(Activation.RELU, Activation.TANH, Activation.SIGMOID, Activation.SOFTPLUS)) {
      Model model = Fixtures.mlp(a);
      ParameterSet params = Fixtures.params(be, model, 31);
      BatchObjective obj = Fixtures.objective(be, model, Loss.MEAN_SQUARED_ERROR, 2);
      Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 3));
      double h = 1e-6;
      double[] plus = obj.outputs(FiniteDifferenceHvp.shifted(params, v, h)).toDoubles();
      double[] minus = obj.outputs(FiniteDifferenceHvp.shifted(params, v, -h)).toDoubles();
      double[] fd = new double[plus.length];
      for (int i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * h);
      double err = Fixtures.maxError(obj.jacobianVector(params, v).toDoubles(), fd);
      worst = Math.max(worst, err);
      assertTrue(err < 1e-8, a + ": " + err);
    }
    System.out.println("[curvature] Jv vs FD of outputs: max error " + worst);
  }

  /** The empirical Fisher against the explicit (1/n) Σ g_i g_iᵀ, and the per-example gradients averaging to the gradient. */
  @Test
  void empiricalFisherMatchesExplicitSumOfOuterProducts() {
    double worst = 0;
    for (Loss loss : Loss.values()) {
      Model model = Fixtures.mlp(Activation.TANH);
      ParameterSet params = Fixtures.params(be, model, 12);
      BatchObjective obj = Fixtures.objective(be, model, loss, 13);
      List<Map<String, Tensor>> gs = obj.perExampleGradients(params);
      assertEquals(Fixtures.ROWS, gs.size());
      int n = ParameterVectors.size(gs.get(0));
      double[][] f = new double[n][n];
      double[] mean = new double[n];
      for (Map<String, Tensor> g : gs) {
        double[] gi = ParameterVectors.flatten(g);
        for (int i = 0; i < n; i++) {
          mean[i] += gi[i] / gs.size();
          for (int j = 0; j < n; j++) f[i][j] += gi[i] * gi[j] / gs.size();
        }
      }
      assertTrue(Fixtures.maxError(mean, ParameterVectors.flatten(obj.gradient(params))) < 1e-14, loss + ": mean of per-example gradients");
      Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 5));
      double err = Fixtures.maxError(ParameterVectors.flatten(obj.empiricalFisherVector(params, v)),
          Fixtures.times(f, ParameterVectors.flatten(v)));
      worst = Math.max(worst, err);
      assertTrue(err < 1e-13, loss + ": " + err);
    }
    System.out.println("[curvature] empirical Fisher vs explicit Σ g gᵀ / n: max error " + worst);
  }

  @Test
  void vectorsMustMatchTheTrainableParameters() {
    Model model = Fixtures.mlp(Activation.RELU);
    ParameterSet params = Fixtures.params(be, model, 1);
    BatchObjective obj = Fixtures.objective(be, model, Loss.SOFTMAX_CROSS_ENTROPY, 1);
    Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 1));
    params.freeze(List.of("layers.0.*"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> obj.hessianVector(params, v));
    assertTrue(e.getMessage().contains("trainable"), e.getMessage());
    // with layer 0 frozen, the vectors cover layer 1 only
    Map<String, Tensor> w = ParameterVectors.gaussian(params, new RandomStream("w", 1));
    assertEquals(List.of("layers.1.weight", "layers.1.bias"), List.copyOf(obj.hessianVector(params, w).keySet()));
  }
}
