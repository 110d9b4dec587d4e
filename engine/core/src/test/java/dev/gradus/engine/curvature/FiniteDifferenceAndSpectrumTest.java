package dev.gradus.engine.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.diagnostics.SymmetricEigen;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiniteDifferenceAndSpectrumTest {
  private final Backend be = new ReferenceBackend();

  @Test
  void finiteDifferenceWithDefaultStepAgreesWithExactProduct() {
    double worst = 0;
    for (Loss loss : Loss.values()) {
      Model model = Fixtures.mlp(Activation.SIGMOID);
      ParameterSet params = Fixtures.params(be, model, 3);
      BatchObjective obj = Fixtures.objective(be, model, loss, 3);
      // the step must adapt to the scale of v: tiny and huge directions give the same answer
      for (double scale : new double[] {1e-6, 1.0, 1e6}) {
        Map<String, Tensor> v = ParameterVectors.scale(scale, ParameterVectors.gaussian(params, new RandomStream("v", 2)));
        double[] exact = ParameterVectors.flatten(obj.hessianVector(params, v));
        double[] fd = ParameterVectors.flatten(FiniteDifferenceHvp.hessianVector(obj, params, v));
        double err = Fixtures.relativeError(fd, exact);
        worst = Math.max(worst, err);
        assertTrue(err < 1e-7, loss + " scale " + scale + ": " + err);
      }
    }
    System.out.println("[curvature] FD Hv with default step vs exact, |v| in {1e-6, 1, 1e6}: max relative error " + worst);
  }

  @Test
  void errorEstimateBoundsTheActualError() {
    Model model = Fixtures.mlp(Activation.TANH);
    ParameterSet params = Fixtures.params(be, model, 3);
    BatchObjective obj = Fixtures.objective(be, model, Loss.SOFTMAX_CROSS_ENTROPY, 3);
    Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 2));
    double[] exact = ParameterVectors.flatten(obj.hessianVector(params, v));
    // a deliberately coarse step: truncation error dominates and the estimate tracks it
    FiniteDifferenceHvp.Estimate e = FiniteDifferenceHvp.estimate(obj, params, v, 0.1);
    double actual = 0;
    double[] fd = ParameterVectors.flatten(e.product());
    for (int i = 0; i < fd.length; i++) actual += (fd[i] - exact[i]) * (fd[i] - exact[i]);
    actual = Math.sqrt(actual);
    System.out.println("[curvature] FD estimate at h=0.05: actual error " + actual + ", estimated " + e.errorEstimate());
    assertEquals(0.05, e.step(), 0.0);
    assertTrue(e.errorEstimate() > actual / 3 && e.errorEstimate() < actual * 3, "estimated " + e.errorEstimate() + " actual " + actual);
  }

  @Test
  void finiteDifferenceRejectsBadSteps() {
    Model model = Fixtures.mlp(Activation.TANH);
    ParameterSet params = Fixtures.params(be, model, 3);
    BatchObjective obj = Fixtures.objective(be, model, Loss.SOFTMAX_CROSS_ENTROPY, 3);
    Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 2));
    assertThrows(IllegalArgumentException.class, () -> FiniteDifferenceHvp.hessianVector(obj, params, v, 0.0));
    assertThrows(IllegalArgumentException.class, () -> FiniteDifferenceHvp.hessianVector(obj, params, v, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> FiniteDifferenceHvp.hessianVector(obj, params, ParameterVectors.zeros(params)));
    // steps too large to be local, or lost to rounding
    assertThrows(IllegalArgumentException.class, () -> FiniteDifferenceHvp.hessianVector(obj, params, v, 10.0));
    assertThrows(IllegalArgumentException.class, () -> FiniteDifferenceHvp.hessianVector(obj, params, v, 1e-18));
    // a valid step on parameters so large the outputs overflow: a non-finite result is refused
    Model lin = Fixtures.mlp(Activation.IDENTITY);
    ParameterSet huge = Fixtures.params(be, lin, 1);
    for (var p : huge.all()) be.scaleInPlace(p.value(), 1e200);
    BatchObjective mse = Fixtures.objective(be, lin, Loss.MEAN_SQUARED_ERROR, 1);
    Map<String, Tensor> w = ParameterVectors.gaussian(huge, new RandomStream("w", 2));
    assertThrows(ArithmeticException.class, () -> FiniteDifferenceHvp.hessianVector(mse, huge, w));
  }

  @Test
  void powerIterationAndLanczosAgreeWithTheExplicitSpectrum() {
    for (Loss loss : Loss.values()) {
      Model model = Fixtures.mlp(Activation.TANH);
      ParameterSet params = Fixtures.params(be, model, 17);
      BatchObjective obj = Fixtures.objective(be, model, loss, 19);
      CurvatureOperator h = CurvatureOperator.hessian(obj, params);
      double[] eig = SymmetricEigen.eigenvalues(Fixtures.symmetrized(Fixtures.matrix(params, h::apply)));
      int n = eig.length;
      double maxAbs = Math.max(Math.abs(eig[0]), Math.abs(eig[n - 1]));
      Spectrum.PowerResult p = Spectrum.powerIteration(h, new RandomStream("power", 1), 1e-10, 2000);
      System.out.println("[curvature] " + loss.id() + ": explicit Hessian λ ∈ [" + eig[0] + ", " + eig[n - 1] + "], power iteration "
          + p.eigenvalue() + " after " + p.iterations() + " (converged " + p.converged() + ")");
      assertTrue(p.converged());
      assertEquals(maxAbs, Math.abs(p.eigenvalue()), 1e-6 * maxAbs);

      // full-dimension Lanczos: every Ritz value is an eigenvalue (repeated eigenvalues, such as
      // softmax's zero directions, appear once: the Krylov space stops early), extremes exact
      Spectrum.LanczosResult full = Spectrum.lanczos(h, n, new RandomStream("lanczos", 1));
      double err = 0;
      for (double r : full.ritzValues()) {
        double nearest = Double.POSITIVE_INFINITY;
        for (double e : eig) nearest = Math.min(nearest, Math.abs(r - e));
        err = Math.max(err, nearest);
      }
      err = Math.max(err, Math.max(Math.abs(full.smallest() - eig[0]), Math.abs(full.largest() - eig[n - 1])));
      System.out.println("[curvature]   Lanczos k=" + n + ": " + full.steps() + " steps, max |ritz − λ| " + err
          + ", condition number " + full.conditionNumber());
      assertTrue(err < 1e-10 * maxAbs, "Lanczos vs explicit: " + err);
      double max = 0, min = Double.POSITIVE_INFINITY;
      for (double e : eig) {
        max = Math.max(max, Math.abs(e));
        min = Math.min(min, Math.abs(e));
      }
      if (min > 1e-8 * max) assertEquals(max / min, full.conditionNumber(), 1e-6 * max / min);

      // a few steps already give the extreme eigenvalues to good accuracy
      Spectrum.LanczosResult few = Spectrum.lanczos(h, 20, new RandomStream("lanczos", 1));
      System.out.println("[curvature]   Lanczos k=20: [" + few.smallest() + ", " + few.largest() + "]");
      assertEquals(eig[n - 1], few.largest(), 1e-6 * maxAbs);
      assertEquals(eig[0], few.smallest(), 1e-6 * maxAbs);
    }
  }

  @Test
  void lanczosStopsWhenTheKrylovSpaceIsInvariant() {
    // a linear model with MSE: the Hessian is 2/(nK)·[X 1]ᵀ[X 1] ⊗ I_K, with only IN+1 distinct eigenvalues
    Model model = Fixtures.linear();
    ParameterSet params = Fixtures.params(be, model, 3);
    BatchObjective obj = Fixtures.objective(be, model, Loss.MEAN_SQUARED_ERROR, 2);
    CurvatureOperator h = CurvatureOperator.hessian(obj, params);
    Spectrum.LanczosResult r = Spectrum.lanczos(h, 50, new RandomStream("l", 1));
    double[] eig = SymmetricEigen.eigenvalues(Fixtures.matrix(params, h::apply));
    assertEquals(Fixtures.IN + 1, r.steps());
    assertEquals(eig[0], r.smallest(), 1e-12);
    assertEquals(eig[eig.length - 1], r.largest(), 1e-12);
  }
}
