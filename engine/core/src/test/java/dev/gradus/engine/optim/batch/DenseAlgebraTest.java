package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curvature.BatchObjective;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The small dense solvers the batch methods use, and Newton on a model through exact Hessian-vector products. */
class DenseAlgebraTest {
  static double[][] randomSymmetric(int n, long seed, double shift) {
    RandomStream rng = new RandomStream("m", seed);
    double[][] b = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b[i][j] = rng.nextGaussian();
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = 0.5 * (b[i][j] + b[j][i]) + (i == j ? shift : 0);
    return a;
  }

  @Test
  void jacobiEigendecompositionReconstructsTheMatrix() {
    double[][] a = randomSymmetric(12, 1, 0);
    dev.gradus.engine.diagnostics.SymmetricEigen.Decomposition e = dev.gradus.engine.diagnostics.SymmetricEigen.decompose(a);
    int n = a.length;
    for (int i = 1; i < n; i++) assertTrue(e.values()[i] >= e.values()[i - 1]);
    assertTrue(e.values()[0] < 0 && e.values()[n - 1] > 0, "indefinite test matrix");
    double worst = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double r = 0;
        double o = 0;
        for (int k = 0; k < n; k++) {
          r += e.vectors()[i][k] * e.values()[k] * e.vectors()[j][k];
          o += e.vectors()[k][i] * e.vectors()[k][j];
        }
        worst = Math.max(worst, Math.max(Math.abs(r - a[i][j]), Math.abs(o - (i == j ? 1 : 0))));
      }
    }
    assertTrue(worst < 1e-12, "reconstruction/orthogonality error " + worst);
    double[] vals = dev.gradus.engine.diagnostics.SymmetricEigen.eigenvalues(a);
    for (int i = 0; i < n; i++) assertEquals(vals[i], e.values()[i], 1e-11);
  }

  @Test
  void choleskyAndConjugateGradientSolve() {
    double[][] a = randomSymmetric(10, 2, 12);
    double[] b = new double[10];
    for (int i = 0; i < b.length; i++) b[i] = i - 4.5;
    double[] x = DenseAlgebra.choleskySolve(DenseAlgebra.cholesky(a), b);
    double[] r = DenseAlgebra.sub(DenseAlgebra.matVec(a, x), b);
    assertTrue(DenseAlgebra.maxAbs(r) < 1e-12);
    DenseAlgebra.CgResult cg = DenseAlgebra.conjugateGradient(v -> DenseAlgebra.matVec(a, v), b, null, 1e-13, 100);
    assertEquals("tolerance", cg.reason());
    for (int i = 0; i < x.length; i++) assertEquals(x[i], cg.x()[i], 1e-10);
    assertNull(DenseAlgebra.cholesky(randomSymmetric(6, 3, -10)), "not positive definite");
  }

  @Test
  void levenbergMarquardtNewtonOnALogisticRegressionMatchesLbfgsAtTheMinimum() {
    ReferenceBackend be = new ReferenceBackend();
    Model model = Model.builder(3).dense(3).build();
    RandomStream rng = new RandomStream("d", 4);
    double[] xs = new double[30 * 3];
    for (int i = 0; i < xs.length; i++) xs[i] = rng.nextGaussian();
    int[] ys = new int[30];
    for (int i = 0; i < ys.length; i++) ys[i] = (int) Math.floorMod((long) Math.floor(2 * rng.nextGaussian() + xs[3 * i]), 3L);
    BatchObjective obj = BatchObjective.of(be, model, Loss.SOFTMAX_CROSS_ENTROPY, DType.FLOAT64, xs, ys);
    double newtonLoss;
    int steps = 0;
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", 1))) {
      Newton lm = Newton.levenbergMarquardt(1e-2);
      BatchState s = lm.init(p);
      FlatProblem fp = new FlatProblem(Objective.of(obj), p);
      while (steps < 50 && DenseAlgebra.maxAbs(fp.evaluate(fp.x()).g()) > 1e-12) {
        s = lm.step(Objective.of(obj), p, s).state();
        steps++;
      }
      newtonLoss = obj.value(p);
      // the softmax Hessian is singular along the all-classes-equal direction: the smallest eigenvalue is ~0
      assertTrue(Math.abs(s.scalar("min_eigenvalue", 1)) < 1e-10, "min eigenvalue " + s.scalar("min_eigenvalue", 1));
    }
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", 1))) {
      Lbfgs l = Lbfgs.strongWolfe(1, 20, 20);
      BatchState s = l.init(p);
      for (int k = 0; k < 20; k++) s = l.step(Objective.of(obj), p, s).state();
      System.out.printf(Locale.ROOT, "LM Newton on logistic regression: %d steps to |g|<=1e-12, loss %.15f; L-BFGS %.15f%n", steps, newtonLoss,
          obj.value(p));
      assertEquals(obj.value(p), newtonLoss, 1e-10);
      assertTrue(newtonLoss <= obj.value(p) + 1e-15, "Newton is at least as close to the minimum");
      assertTrue(steps < 20, "quadratic convergence: " + steps + " steps");
    }
  }
}
