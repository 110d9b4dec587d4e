package dev.gradus.engine.optim.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.TestProblems;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Armijo and strong Wolfe searches on 1-D functions and along a quadratic's steepest descent line. */
class LineSearchTest {
  /** A 1-D function φ with derivative φ', as a line (gradient vector [φ'(t)] along d = [1]). */
  static LineSearch.Line line(DoubleUnaryOperator phi, DoubleUnaryOperator dphi, int[] count) {
    return t -> {
      count[0]++;
      double d = dphi.applyAsDouble(t);
      return new LineSearch.Sample(t, phi.applyAsDouble(t), new double[] {d}, d);
    };
  }

  record Fn(String name, DoubleUnaryOperator phi, DoubleUnaryOperator dphi) {}

  /** φ'(0) < 0 for all: Nocedal & Wright's and Moré & Thuente's test functions and simple ones. */
  static final List<Fn> FUNCTIONS = List.of(
      new Fn("(t-3)^2", t -> (t - 3) * (t - 3), t -> 2 * (t - 3)),
      new Fn("(t-0.01)^2", t -> (t - 0.01) * (t - 0.01), t -> 2 * (t - 0.01)),
      new Fn("-t/(t^2+2)", t -> -t / (t * t + 2), t -> (t * t - 2) / ((t * t + 2) * (t * t + 2))),
      new Fn("(t+0.004)^5-2(t+0.004)^4", t -> Math.pow(t + 0.004, 5) - 2 * Math.pow(t + 0.004, 4),
          t -> 5 * Math.pow(t + 0.004, 4) - 8 * Math.pow(t + 0.004, 3)),
      new Fn("cos-wave", t -> -Math.sin(t) + 0.1 * t * t, t -> -Math.cos(t) + 0.2 * t),
      new Fn("steep exp", t -> Math.exp(5 * (t - 1)) - 5 * t, t -> 5 * Math.exp(5 * (t - 1)) - 5));

  @Test
  void armijoConditionHolds() {
    for (Fn fn : FUNCTIONS) {
      for (double t0 : new double[] {1, 10, 100}) {
        int[] count = {0};
        double f0 = fn.phi.applyAsDouble(0);
        double d0 = fn.dphi.applyAsDouble(0);
        LineSearch.Result r = LineSearch.armijo().search(line(fn.phi, fn.dphi, count), f0, new double[] {d0}, d0, t0, 1);
        assertTrue(r.satisfied(), fn.name);
        assertTrue(r.t() > 0 && r.t() <= t0, fn.name);
        assertTrue(r.f() <= f0 + 1e-4 * r.t() * d0, fn.name + " t=" + r.t());
        assertEquals(fn.phi.applyAsDouble(r.t()), r.f(), 0.0);
        assertEquals(count[0], r.evaluations());
        // backtracking: the previous trial 2t was refused
        if (r.t() < t0) assertTrue(fn.phi.applyAsDouble(2 * r.t()) > f0 + 1e-4 * 2 * r.t() * d0, fn.name);
      }
    }
  }

  @Test
  void strongWolfeConditionsHold() {
    for (double c2 : new double[] {0.9, 0.1}) {
      for (Fn fn : FUNCTIONS) {
        for (double t0 : new double[] {1e-3, 1, 10}) {
          int[] count = {0};
          double f0 = fn.phi.applyAsDouble(0);
          double d0 = fn.dphi.applyAsDouble(0);
          LineSearch.Result r = LineSearch.strongWolfe(1e-4, c2, 1e-9, 25).search(line(fn.phi, fn.dphi, count), f0, new double[] {d0}, d0, t0, 1);
          String what = fn.name + " c2=" + c2 + " t0=" + t0 + " -> t=" + r.t();
          assertTrue(r.satisfied(), what);
          assertTrue(r.f() <= f0 + 1e-4 * r.t() * d0, "sufficient decrease: " + what);
          assertTrue(Math.abs(fn.dphi.applyAsDouble(r.t())) <= c2 * Math.abs(d0), "curvature: " + what);
          assertEquals(fn.phi.applyAsDouble(r.t()), r.f(), 0.0);
          assertEquals(fn.dphi.applyAsDouble(r.t()), r.g()[0], 0.0);
          assertEquals(count[0], r.evaluations());
        }
      }
    }
  }

  @Test
  void cubicInterpolationIsExactForACubic() {
    // φ(t) = t³ − 3t: minimizer at 1 on [0, 2]
    double m = LineSearch.StrongWolfe.cubicInterpolate(0, 0, -3, 2, 2, 9);
    assertEquals(1.0, m, 1e-15);
    // and for a quadratic (t − 0.3)²
    assertEquals(0.3, LineSearch.StrongWolfe.cubicInterpolate(0, 0.09, -0.6, 1, 0.49, 1.4), 1e-15);
  }

  @Test
  void strongWolfeAndExactAlongAQuadraticsSteepestDescent() {
    ReferenceBackend be = new ReferenceBackend();
    TestProblems.Objective q = TestProblems.illConditionedQuadratic(5, 10);
    try (ParameterSet params = q.parameters(be, DType.FLOAT64)) {
      FlatProblem p = new FlatProblem(Objective.of(q), params);
      double[] x = p.x();
      FlatProblem.Point at = p.evaluate(x);
      double[] d = DenseAlgebra.neg(at.g());
      double gtd = DenseAlgebra.dot(at.g(), d);
      LineSearch.Line line = t -> {
        FlatProblem.Point pt = p.evaluate(DenseAlgebra.axpy(t, d, x));
        return new LineSearch.Sample(t, pt.f(), pt.g(), DenseAlgebra.dot(pt.g(), d));
      };
      // the exact minimizer along d of ½xᵀAx: t* = gᵀg / gᵀAg
      double[] ag = p.product(FlatProblem.Curvature.HESSIAN, x, at.g());
      double tStar = DenseAlgebra.dot(at.g(), at.g()) / DenseAlgebra.dot(at.g(), ag);
      LineSearch.Result exact = LineSearch.exact(1e-12, 10).search(line, at.f(), at.g(), gtd, 1.0, DenseAlgebra.maxAbs(d));
      assertEquals(tStar, exact.t(), 1e-14 * tStar);
      assertEquals(2, exact.evaluations(), "one secant step is exact on a quadratic");
      LineSearch.Result sw = LineSearch.strongWolfe().search(line, at.f(), at.g(), gtd, 1.0, DenseAlgebra.maxAbs(d));
      assertTrue(sw.f() <= at.f() + 1e-4 * sw.t() * gtd);
      assertTrue(Math.abs(DenseAlgebra.dot(sw.g(), d)) <= 0.9 * Math.abs(gtd));
      LineSearch.Result ar = LineSearch.armijo().search(line, at.f(), at.g(), gtd, 1.0, DenseAlgebra.maxAbs(d));
      assertTrue(ar.f() <= at.f() + 1e-4 * ar.t() * gtd);
    }
  }
}
