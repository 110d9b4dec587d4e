package dev.gradus.engine.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
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

class HessianVectorProductTest {
  private final Backend be = new ReferenceBackend();

  /** Exact Hv (double backward) against central differences of exact gradients, every activation × every loss. */
  @Test
  void exactProductMatchesFiniteDifferencesForEveryActivationAndLoss() {
    double worstAll = 0;
    for (Activation a : Activation.values()) {
      for (Loss loss : Loss.values()) {
        Model model = Fixtures.mlp(a);
        ParameterSet params = Fixtures.params(be, model, 11);
        BatchObjective obj = Fixtures.objective(be, model, loss, 5);
        for (int trial = 0; trial < 3; trial++) {
          Map<String, Tensor> v = ParameterVectors.gaussian(params, new RandomStream("v", 100 + trial));
          double[] exact = ParameterVectors.flatten(obj.hessianVector(params, v));
          double[] fd = ParameterVectors.flatten(FiniteDifferenceHvp.hessianVector(obj, params, v, 1e-5));
          double err = Fixtures.maxError(exact, fd);
          worstAll = Math.max(worstAll, err);
          assertTrue(err < 1e-7, a + " / " + loss + " trial " + trial + ": max error " + err);
        }
      }
    }
    System.out.println("[curvature] exact Hv vs central FD of gradients, 6 activations x 3 losses x 3 v: max error " + worstAll);
  }

  /** A linear model with mean squared error: H = 2/(nK)·[XᵀX, Xᵀ1; 1ᵀX, n] per output, block diagonal. */
  @Test
  void linearModelWithMseHasTheClosedFormHessian() {
    Model model = Fixtures.linear();
    ParameterSet params = Fixtures.params(be, model, 3);
    BatchObjective obj = Fixtures.objective(be, model, Loss.MEAN_SQUARED_ERROR, 2);
    double[] x = be.toDoubles(obj.features());
    int n = Fixtures.ROWS, in = Fixtures.IN, k = Fixtures.OUT;
    int dim = k * in + k;
    double[][] expected = new double[dim][dim];
    double c = 2.0 / (n * k);
    for (int o = 0; o < k; o++) {
      for (int j = 0; j < in; j++) {
        for (int jj = 0; jj < in; jj++) {
          double s = 0;
          for (int i = 0; i < n; i++) s += x[i * in + j] * x[i * in + jj];
          expected[o * in + j][o * in + jj] = c * s;
        }
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i * in + j];
        expected[o * in + j][k * in + o] = c * s;
        expected[k * in + o][o * in + j] = c * s;
      }
      expected[k * in + o][k * in + o] = c * n;
    }
    double[][] h = Fixtures.matrix(params, v -> obj.hessianVector(params, v));
    double worst = 0;
    for (int i = 0; i < dim; i++) worst = Math.max(worst, Fixtures.maxError(h[i], expected[i]));
    System.out.println("[curvature] linear+MSE exact Hessian vs closed form: max error " + worst);
    assertTrue(worst < 1e-13, "max error " + worst);
  }

  /** The explicit Hessian from exact products is symmetric and agrees with one built from FD columns. */
  @Test
  void explicitHessianIsSymmetricAndMatchesFiniteDifferenceColumns() {
    Model model = Fixtures.mlp(Activation.TANH);
    ParameterSet params = Fixtures.params(be, model, 4);
    BatchObjective obj = Fixtures.objective(be, model, Loss.SOFTMAX_CROSS_ENTROPY, 9);
    double[][] h = Fixtures.matrix(params, v -> obj.hessianVector(params, v));
    double[][] fd = Fixtures.matrix(params, v -> FiniteDifferenceHvp.hessianVector(obj, params, v, 1e-5));
    double asym = 0, err = 0;
    for (int i = 0; i < h.length; i++) {
      err = Math.max(err, Fixtures.maxError(h[i], fd[i]));
      for (int j = 0; j < h.length; j++) asym = Math.max(asym, Math.abs(h[i][j] - h[j][i]));
    }
    System.out.println("[curvature] explicit Hessian (" + h.length + "x" + h.length + "): asymmetry " + asym + ", vs FD columns " + err);
    assertTrue(asym < 1e-13, "asymmetry " + asym);
    assertTrue(err < 1e-7, "vs FD " + err);
  }

  @Test
  void createGraphGradientEqualsTheOrdinaryGradient() {
    for (Loss loss : Loss.values()) {
      Model model = Fixtures.mlp(Activation.SOFTPLUS);
      ParameterSet params = Fixtures.params(be, model, 8);
      BatchObjective obj = Fixtures.objective(be, model, loss, 1);
      Map<String, Tensor> g = obj.gradient(params);
      Tape tape = Tape.evaluationGradients(be);
      Map<String, Var> bound = model.bind(tape, params);
      Var l = loss.apply(model.forward(bound, tape.constant(obj.features(), "input")), obj.labels());
      tape.backward(l, true);
      for (var e : g.entrySet()) {
        double err = Fixtures.maxError(bound.get(e.getKey()).gradVar().value().toDoubles(), e.getValue().toDoubles());
        assertTrue(err < 1e-14, loss + " " + e.getKey() + ": " + err);
        assertEquals(null, bound.get(e.getKey()).grad(), "createGraph leaves grad() untouched");
      }
    }
  }

  /** Second derivatives of single ops against FD of their first derivatives (ops the MLP tests don't reach). */
  @Test
  void secondDerivativesOfOtherOps() {
    double[] x0 = {0.7, -0.4, 1.3, 0.2, -1.1, 0.5};
    java.util.List<java.util.function.Function<Var, Var>> fs = java.util.List.of(
        x -> Ops.sum(Ops.square(Ops.sqrt(Ops.addScalar(Ops.square(x), 1.0)))),
        x -> Ops.sum(Ops.mul(Ops.exp(x), Ops.log(Ops.addScalar(Ops.square(x), 0.5)))),
        x -> Ops.sum(Ops.square(Ops.div(x, Ops.addScalar(Ops.square(x), 2.0)))),
        x -> Ops.mean(Ops.square(Ops.meanRows(Ops.tanh(x)))),
        x -> Ops.sum(Ops.square(Ops.concatColumns(Ops.columns(Ops.sigmoid(x), 1, 2), Ops.square(x)))),
        x -> Ops.sum(Ops.square(Ops.matmul(x, Ops.tanh(x), true, false))),
        x -> Ops.sum(Ops.square(Ops.sumAxis(Ops.square(x), 1, true))),
        x -> Ops.softTargetCrossEntropy(Ops.square(x), be.fromDoubles(new double[] {0.2, 0.3, 0.5, 0.1, 0.1, 0.8}, 2, 3),
            be.fromDoubles(new double[] {1.0, 3.0}, 2)),
        x -> Ops.sum(Ops.square(Ops.softsign(x))),
        x -> Ops.sum(Ops.mul(Ops.sub(x, Ops.scale(Ops.meanRows(x), 2.0)), Ops.add(Ops.square(x), Ops.reshape(Ops.sum(x), 1, 1)))));
    double worst = 0;
    for (int f = 0; f < fs.size(); f++) {
      double[] v = {0.3, -1.0, 0.6, 0.9, 0.1, -0.5};
      double[] exact = hessianVector(fs.get(f), x0, v);
      double h = 1e-5;
      double[] plus = gradient(fs.get(f), shift(x0, v, h));
      double[] minus = gradient(fs.get(f), shift(x0, v, -h));
      double[] fd = new double[x0.length];
      for (int i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * h);
      double err = Fixtures.maxError(exact, fd);
      worst = Math.max(worst, err);
      assertTrue(err < 1e-7, "function " + f + ": " + err);
    }
    System.out.println("[curvature] single-op second derivatives vs FD: max error " + worst);
  }

  @Test
  void anOperationWithoutADifferentiableVjpIsNamed() {
    Tape tape = Tape.training(be);
    Var x = tape.leaf(be.fromDoubles(new double[] {1, 2}, 2), "x");
    Var y = tape.record("my-custom-op", be.scale(x.value(), 3.0), (u, need) -> new Tensor[] {be.scale(u, 3.0)}, x);
    Var l = Ops.sum(Ops.square(y));
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> tape.backward(l, true));
    assertTrue(e.getMessage().contains("my-custom-op"), e.getMessage());
    // the ordinary backward still works through it
    tape.backward(l);
    assertEquals(36.0, x.grad().toDoubles()[1], 1e-12);
  }

  private double[] hessianVector(java.util.function.Function<Var, Var> f, double[] x, double[] v) {
    Tape tape = Tape.training(be);
    Var xv = tape.leaf(be.fromDoubles(x, 2, 3), "x");
    tape.backward(f.apply(xv), true);
    Var dot = Ops.sum(Ops.mul(xv.gradVar(), tape.constant(be.fromDoubles(v, 2, 3), "v")));
    tape.backward(dot);
    return xv.grad().toDoubles();
  }

  private double[] gradient(java.util.function.Function<Var, Var> f, double[] x) {
    Tape tape = Tape.training(be);
    Var xv = tape.leaf(be.fromDoubles(x, 2, 3), "x");
    tape.backward(f.apply(xv));
    return xv.grad().toDoubles();
  }

  private static double[] shift(double[] x, double[] v, double h) {
    double[] out = x.clone();
    for (int i = 0; i < out.length; i++) out[i] += h * v[i];
    return out;
  }
}
