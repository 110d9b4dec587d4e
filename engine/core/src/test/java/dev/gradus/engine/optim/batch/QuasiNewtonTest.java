package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.StateDict;
import dev.gradus.engine.optim.TestProblems;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Nonlinear CG, BFGS and L-BFGS on test functions. */
class QuasiNewtonTest {
  private final ReferenceBackend be = new ReferenceBackend();

  /** Runs {@code method} until f ≤ target or {@code maxSteps}; returns {steps, f}. */
  double[] run(BatchMethod method, TestProblems.Objective fn, ParameterSet params, double target, int maxSteps) {
    Objective obj = Objective.of(fn);
    BatchState s = method.init(params);
    double f = fn.evaluate(params);
    int k = 0;
    while (k < maxSteps && f > target) {
      BatchMethod.Result r = method.step(obj, params, s);
      s = r.state();
      k++;
      f = fn.evaluate(params);
      if (!Double.isNaN(r.lossAfter())) assertEquals(f, r.lossAfter(), 1e-12 * Math.max(1, Math.abs(f)), "lossAfter at step " + k);
    }
    return new double[] {k, f};
  }

  @Test
  void conjugateGradientMinimizesAQuadraticInNStepsWithExactLineSearch() {
    int n = 6;
    for (NonlinearConjugateGradient.Beta beta : NonlinearConjugateGradient.Beta.values()) {
      TestProblems.Objective q = TestProblems.illConditionedQuadratic(n, 50);
      try (ParameterSet params = q.parameters(be, DType.FLOAT64)) {
        double f0 = q.evaluate(params);
        NonlinearConjugateGradient cg = new NonlinearConjugateGradient(beta, LineSearch.exact(1e-13, 10), 0, 0);
        Objective obj = Objective.of(q);
        BatchState s = cg.init(params);
        double fBefore = f0;
        for (int k = 1; k <= n; k++) {
          s = cg.step(obj, params, s).state();
          double f = q.evaluate(params);
          if (k < n) assertTrue(f < fBefore && f > 1e-10, beta + ": step " + k + " f=" + f);
          fBefore = f;
        }
        double[] x = params.get(TestProblems.PATH).value().toDoubles();
        double f = q.evaluate(params);
        System.out.printf(Locale.ROOT, "CG %s: f after n=%d steps %.3e (from %.3e), max|x| %.3e%n", beta, n, f, f0, DenseAlgebra.maxAbs(x));
        assertTrue(f <= 1e-16 * f0 * 1e4, beta + " f=" + f);
        assertTrue(DenseAlgebra.maxAbs(x) <= 1e-8, beta + " x=" + java.util.Arrays.toString(x));
        assertEquals(1.0, s.scalar("restarts", 0), "no restart within n steps");
      }
    }
  }

  @Test
  void conjugateGradientWithStrongWolfeConvergesOnRosenbrock() {
    TestProblems.Objective r = TestProblems.rosenbrock();
    try (ParameterSet params = r.parameters(be, DType.FLOAT64)) {
      double[] out = run(NonlinearConjugateGradient.polakRibiere(), r, params, 1e-8, 500);
      System.out.printf(Locale.ROOT, "PR+ CG on Rosenbrock: f=%.3e after %d steps%n", out[1], (int) out[0]);
      assertTrue(out[1] <= 1e-8, "f=" + out[1]);
    }
  }

  @Test
  void bfgsAndLbfgsReachTheRosenbrockMinimum() {
    for (TestProblems.Objective r : new TestProblems.Objective[] {TestProblems.rosenbrock(), TestProblems.rosenbrock(-1.2, 1.0)}) {
      for (BatchMethod m : new BatchMethod[] {Bfgs.defaults(), Lbfgs.defaults(), Lbfgs.strongWolfe(1, 1, 3)}) {
        try (ParameterSet params = r.parameters(be, DType.FLOAT64)) {
          double[] out = run(m, r, params, 1e-8, 300);
          double[] x = params.get(TestProblems.PATH).value().toDoubles();
          System.out.printf(Locale.ROOT, "%s on %s: f=%.3e after %d steps, x=(%.8f, %.8f)%n", m.describe(), r.name(), out[1], (int) out[0], x[0], x[1]);
          assertTrue(out[1] <= 1e-8, m.describe() + " f=" + out[1]);
          assertEquals(1.0, x[0], 1e-3);
          assertEquals(1.0, x[1], 2e-3);
        }
      }
    }
  }

  @Test
  void bfgsInverseHessianApproachesTheTrueInverseOnAQuadratic() {
    TestProblems.Objective q = TestProblems.quadratic(new double[] {1, 4, 9}, new double[] {1, -1, 0.5});
    try (ParameterSet params = q.parameters(be, DType.FLOAT64)) {
      Bfgs bfgs = new Bfgs(LineSearch.exact(1e-13, 10), false, 0);
      BatchState s = bfgs.init(params);
      for (int k = 0; k < 3; k++) s = bfgs.step(Objective.of(q), params, s).state();
      // with exact line searches BFGS terminates in n steps with M = A⁻¹ (Nocedal & Wright Thm 6.? / quadratic termination)
      double[] m = s.vector("M");
      double[] expected = {1, 0, 0, 0, 0.25, 0, 0, 0, 1.0 / 9};
      for (int i = 0; i < 9; i++) assertEquals(expected[i], m[i], 1e-9, "M[" + i + "]");
      assertTrue(q.evaluate(params) < 1e-20);
    }
  }

  @Test
  void lbfgsStateRoundTripsThroughAStateDict() {
    TestProblems.Objective r = TestProblems.rosenbrock();
    Lbfgs m = Lbfgs.strongWolfe(1, 1, 4);
    try (ParameterSet a = r.parameters(be, DType.FLOAT64); ParameterSet b = r.parameters(be, DType.FLOAT64)) {
      Objective obj = Objective.of(r);
      BatchState sa = m.init(a);
      BatchState sb = m.init(b);
      for (int k = 0; k < 8; k++) {
        sa = m.step(obj, a, sa).state();
        sb = m.step(obj, b, sb).state();
      }
      StateDict dict = sb.toStateDict();
      sb = m.restore(dict, b);
      assertTrue(sb.toStateDict().sameAs(dict));
      for (int k = 0; k < 8; k++) {
        sa = m.step(obj, a, sa).state();
        sb = m.step(obj, b, sb).state();
      }
      assertTrue(java.util.Arrays.equals(a.get("x").value().toDoubles(), b.get("x").value().toDoubles()));
      assertTrue(sa.toStateDict().sameAs(sb.toStateDict()));
      assertTrue(dict.tensors().containsKey("old_dirs/0") && dict.scalars().containsKey("H_diag"), dict.tensors().keySet().toString());
    }
  }
}
