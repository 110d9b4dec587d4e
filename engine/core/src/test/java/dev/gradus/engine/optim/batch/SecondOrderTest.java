package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curvature.BatchObjective;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.Optimizers;
import dev.gradus.engine.optim.TestProblems;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Newton (plain, Levenberg–Marquardt, saddle-free), block coordinate descent, Hessian-free and natural gradient. */
class SecondOrderTest {
  private final ReferenceBackend be = new ReferenceBackend();

  @Test
  void newtonSolvesAQuadraticInOneStep() {
    TestProblems.Objective q = TestProblems.illConditionedQuadratic(8, 1000);
    try (ParameterSet params = q.parameters(be, DType.FLOAT64)) {
      Newton newton = Newton.plain();
      BatchMethod.Result r = newton.step(Objective.of(q), params, newton.init(params));
      double[] x = params.get(TestProblems.PATH).value().toDoubles();
      assertTrue(DenseAlgebra.maxAbs(x) <= 1e-12, java.util.Arrays.toString(x));
      assertTrue(r.lossAfter() <= 1e-24, "f=" + r.lossAfter());
      assertEquals(8, r.evaluations().curvatureProducts(), "explicit Hessian from 8 Hessian-vector products");
      assertEquals(1000.0, r.state().scalar("max_eigenvalue", 0), 1e-9);
    }
  }

  /** Goodfellow et al. 8.7.1: f(x) = (x₁ − x₂)² + α(x₁² + x₂²). */
  @Test
  void newtonSolvesTheCoupledFunctionInOneStepWhileCoordinateDescentStallsAsAlphaVanishes() {
    double previousProgress = Double.NaN;
    for (double alpha : new double[] {1.0, 1e-2, 1e-4}) {
      ClosedForm f = ClosedForm.coupled(alpha);
      try (ParameterSet params = f.parameters(be, 1.0, -0.5)) {
        Newton newton = Newton.plain();
        BatchMethod.Result r = newton.step(f, params, newton.init(params));
        double[] x = f.point(params);
        assertTrue(Math.abs(x[0]) <= 1e-12 && Math.abs(x[1]) <= 1e-12, "Newton at alpha " + alpha + ": " + java.util.Arrays.toString(x));
        assertTrue(r.lossAfter() <= 1e-24);
      }
      // coordinate descent, each coordinate minimized exactly (one Newton step on a 1-D quadratic)
      try (ParameterSet params = f.parameters(be, 1.0, -0.5)) {
        BlockCoordinateDescent cd = BlockCoordinateDescent.of(List.of(List.of("x1"), List.of("x2")), Newton.plain(), 1);
        BatchState s = cd.init(params);
        double f0 = f.value(params);
        double fAfterFirst = Double.NaN;
        for (int sweep = 1; sweep <= 50; sweep++) {
          s = cd.step(f, params, s).state();
          if (sweep == 1) fAfterFirst = f.value(params);
        }
        double[] x = f.point(params);
        // the exact sweep: x₁ ← x₂/(1+α), x₂ ← x₁/(1+α)
        double expectedX2 = -0.5 / Math.pow(1 + alpha, 100);
        assertEquals(expectedX2, x[1], 1e-12);
        assertEquals(x[1] * (1 + alpha), x[0], 1e-12);
        double progress = (fAfterFirst - f.value(params)) / fAfterFirst;
        System.out.printf(Locale.ROOT, "alpha %.0e: coordinate descent, 50 sweeps: f %.3e -> %.3e (after sweep 1: %.3e), relative progress after sweep 1 %.2e; Newton: 0 in one step%n",
            alpha, f0, f.value(params), fAfterFirst, progress);
        if (alpha == 1.0) assertTrue(f.value(params) < 1e-20);
        if (alpha == 1e-4) {
          assertTrue(progress < 0.02, "stalls: " + progress);
          assertTrue(Math.abs(x[0]) > 0.45 && Math.abs(x[1]) > 0.45, java.util.Arrays.toString(x));
        }
        if (!Double.isNaN(previousProgress)) assertTrue(progress < previousProgress);
        previousProgress = progress;
      }
    }
  }

  @Test
  void saddleFreeNewtonLeavesASaddleThatNewtonConvergesTo() {
    ClosedForm f = ClosedForm.saddle();
    try (ParameterSet params = f.parameters(be, 0.5, 0.1)) {
      Newton newton = Newton.plain();
      BatchState s = newton.init(params);
      for (int k = 0; k < 8; k++) s = newton.step(f, params, s).state();
      double[] x = f.point(params);
      assertTrue(Math.abs(x[0]) < 1e-12 && Math.abs(x[1]) < 1e-12, "Newton goes to the saddle: " + java.util.Arrays.toString(x));
      assertEquals(0.0, f.value(params), 1e-20);
    }
    try (ParameterSet params = f.parameters(be, 0.5, 0.1)) {
      Newton sfn = Newton.saddleFreeAdaptive(1e-3);
      BatchState s = sfn.init(params);
      double fPrev = f.value(params);
      for (int k = 0; k < 40; k++) {
        BatchMethod.Result r = sfn.step(f, params, s);
        s = r.state();
        assertTrue(r.lossAfter() <= fPrev, "descends at step " + k);
        fPrev = r.lossAfter();
      }
      double[] x = f.point(params);
      System.out.printf(Locale.ROOT, "saddle-free Newton from (0.5, 0.1): x=(%.3e, %.12f), f=%.12f%n", x[0], x[1], f.value(params));
      assertEquals(Math.sqrt(2), x[1], 1e-8);
      assertEquals(-1.0, f.value(params), 1e-12);
    }
  }

  @Test
  void levenbergMarquardtNewtonSolvesRosenbrockAndAdaptsItsDamping() {
    TestProblems.Objective r = TestProblems.rosenbrock();
    try (ParameterSet params = r.parameters(be, DType.FLOAT64)) {
      Newton lm = Newton.levenbergMarquardt(1.0);
      BatchState s = lm.init(params);
      double fPrev = r.evaluate(params);
      int k = 0;
      while (k < 200 && r.evaluate(params) > 1e-16) {
        BatchMethod.Result res = lm.step(Objective.of(r), params, s);
        s = res.state();
        assertTrue(res.lossAfter() <= fPrev, "monotone");
        fPrev = res.lossAfter();
        k++;
      }
      System.out.printf(Locale.ROOT, "LM Newton on Rosenbrock: f=%.3e after %d steps, damping %.3e, refused %d%n", r.evaluate(params), k,
          s.scalar("damping", 0), (int) s.scalar("refused", 0));
      assertTrue(r.evaluate(params) <= 1e-16);
      assertTrue(s.scalar("damping", 1) < 1e-3, "damping shrinks near the minimum");
    }
    // a refused step raises the damping
    ClosedForm f = new ClosedForm(List.of("x"), v -> Math.abs(v[0]) < 1 ? v[0] * v[0] : 2 * Math.abs(v[0]) - 1 + 100 * (Math.abs(v[0]) - 1) * (Math.abs(v[0]) - 1),
        v -> new double[] {2 * v[0]}, v -> new double[][] {{0.02}});
    try (ParameterSet params = f.parameters(be, 0.5)) {
      Newton lm = Newton.levenbergMarquardt(0.01);
      BatchMethod.Result res = lm.step(f, params, lm.init(params));
      assertTrue(res.state().scalar("refused", 0) >= 1);
      assertTrue(res.lossAfter() < 0.25);
    }
  }

  /** Multinomial logistic regression 4 → 3 on 20 random examples (float64). */
  BatchObjective logistic(Model model, long seed) {
    RandomStream rng = new RandomStream("data", seed);
    int n = 20;
    double[] x = new double[n * model.inputSize()];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = (int) Math.floorMod((long) (3 * rng.nextGaussian() + x[i * model.inputSize()] * 2), 3L);
    return BatchObjective.of(be, model, Loss.SOFTMAX_CROSS_ENTROPY, DType.FLOAT64, x, y);
  }

  @Test
  void naturalGradientEqualsTheExplicitDampedFisherSolve() {
    Model model = Model.builder(4).dense(3).build();
    BatchObjective obj = logistic(model, 3);
    for (FlatProblem.Curvature kind : new FlatProblem.Curvature[] {FlatProblem.Curvature.FISHER, FlatProblem.Curvature.EMPIRICAL_FISHER}) {
      try (ParameterSet params = model.initialize(be, DType.FLOAT64, new RandomStream("init", 5))) {
        double lambda = 1e-3;
        // F explicitly from Fisher-vector products of unit vectors, solved by Gaussian elimination here
        FlatProblem p = new FlatProblem(Objective.of(obj), params);
        double[] x0 = p.x();
        double[][] f = p.matrix(kind, x0);
        int n = f.length;
        double[] g = p.evaluate(x0).g();
        double[] expected = gauss(DenseAlgebra.plusIdentity(f, lambda), g);
        for (NaturalGradient.Solver solver : NaturalGradient.Solver.values()) {
          NaturalGradient ng = new NaturalGradient(0.5, lambda, kind, solver, 200, 1e-12);
          double[] u = ng.direction(new FlatProblem(Objective.of(obj), params)).direction();
          double err = 0;
          for (int i = 0; i < n; i++) err = Math.max(err, Math.abs(u[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
          System.out.printf(Locale.ROOT, "natural gradient %s %s vs explicit (F+λI)⁻¹g: max error %.2e%n", kind, solver, err);
          assertTrue(err <= 1e-8, kind + " " + solver + ": " + err);
          // a step moves θ by −η u and lowers the loss
          try (ParameterSet copy = model.initialize(be, DType.FLOAT64, new RandomStream("init", 5))) {
            BatchMethod.Result r = ng.step(Objective.of(obj), copy, ng.init(copy));
            double[] moved = new FlatProblem(Objective.of(obj), copy).x();
            for (int i = 0; i < n; i++) assertEquals(x0[i] - 0.5 * u[i], moved[i], 1e-12);
            assertTrue(r.lossAfter() < r.lossBefore());
          }
        }
      }
    }
  }

  @Test
  void hessianFreeMinimizesALogisticRegressionAndAnMlp() {
    for (Model model : new Model[] {Model.builder(4).dense(3).build(), Model.builder(4).dense(6, Activation.TANH).dense(3).build()}) {
      BatchObjective obj = logistic(model, 11);
      try (ParameterSet params = model.initialize(be, DType.FLOAT64, new RandomStream("init", 2))) {
        HessianFree hf = HessianFree.defaults();
        BatchState s = hf.init(params);
        double f0 = obj.value(params);
        double fPrev = f0;
        for (int k = 0; k < 40; k++) {
          BatchMethod.Result r = hf.step(Objective.of(obj), params, s);
          s = r.state();
          assertTrue(r.lossAfter() <= fPrev + 1e-15, "monotone at step " + k);
          fPrev = r.lossAfter();
          assertTrue(s.scalar("cg_iterations", 0) <= 50);
        }
        double gnorm = DenseAlgebra.norm(new FlatProblem(Objective.of(obj), params).evaluate(new FlatProblem(Objective.of(obj), params).x()).g());
        System.out.printf(Locale.ROOT, "Hessian-free on %d params: loss %.9f -> %.9f in 40 steps, |g| %.2e, damping %.2e%n",
            params.count(), f0, fPrev, gnorm, s.scalar("damping", 0));
        assertTrue(fPrev < 0.9 * f0);
        if (params.count() == 15) {
          Lbfgs reference = Lbfgs.strongWolfe(1, 1, 20);
          try (ParameterSet ref = model.initialize(be, DType.FLOAT64, new RandomStream("init", 2))) {
            BatchState rs = reference.init(ref);
            for (int k = 0; k < 300; k++) rs = reference.step(Objective.of(obj), ref, rs).state();
            System.out.printf(Locale.ROOT, "  L-BFGS 300 steps on the same problem: loss %.9f%n", obj.value(ref));
            assertEquals(obj.value(ref), fPrev, 1e-9, "the convex problem's minimum");
            assertTrue(gnorm < 1e-6, "|g| " + gnorm);
          }
        }
      }
    }
  }

  @Test
  void blockCoordinateDescentCyclesLayerBlocksWithAGradientTransformOrABatchMethod() {
    Model model = Model.builder(4).dense(6, Activation.TANH).dense(3).build();
    BatchObjective obj = logistic(model, 7);
    List<List<String>> layers = List.of(List.of("layers.0.*"), List.of("layers.1.*"));
    try (ParameterSet params = model.initialize(be, DType.FLOAT64, new RandomStream("init", 3))) {
      double[] w1 = params.get("layers.1.weight").value().toDoubles();
      BlockCoordinateDescent bcd = BlockCoordinateDescent.of(List.of(List.of("layers.0.*")), Optimizers.sgd(0.1), 3);
      bcd.step(Objective.of(obj), params, bcd.init(params));
      assertTrue(java.util.Arrays.equals(w1, params.get("layers.1.weight").value().toDoubles()), "a parameter in no block stays");
      BlockCoordinateDescent withLbfgs = BlockCoordinateDescent.of(layers, Lbfgs.defaults(), 3);
      BatchState s = withLbfgs.init(params);
      double f0 = obj.value(params);
      for (int k = 0; k < 5; k++) s = withLbfgs.step(Objective.of(obj), params, s).state();
      assertTrue(obj.value(params) < 0.9 * f0, obj.value(params) + " vs " + f0);
      assertTrue(s.has("block/0/n_iter") && s.has("block/1/n_iter"), s.toString());
      assertEquals(15.0, s.scalar("block/1/n_iter", 0));
    }
    assertThrows(IllegalArgumentException.class, () -> {
      try (ParameterSet params = model.initialize(be, DType.FLOAT64, new RandomStream("init", 3))) {
        BlockCoordinateDescent.of(List.of(List.of("nothing.*")), Newton.plain(), 1).init(params);
      }
    });
  }

  /** Gaussian elimination with partial pivoting. */
  static double[] gauss(double[][] a0, double[] b0) {
    int n = b0.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) a[i] = a0[i].clone();
    double[] b = b0.clone();
    for (int c = 0; c < n; c++) {
      int piv = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
      double[] t = a[c];
      a[c] = a[piv];
      a[piv] = t;
      double tb = b[c];
      b[c] = b[piv];
      b[piv] = tb;
      for (int r = c + 1; r < n; r++) {
        double m = a[r][c] / a[c][c];
        for (int k = c; k < n; k++) a[r][k] -= m * a[c][k];
        b[r] -= m * b[c];
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = b[i];
      for (int k = i + 1; k < n; k++) s -= a[i][k] * x[k];
      x[i] = s / a[i][i];
    }
    return x;
  }
}
