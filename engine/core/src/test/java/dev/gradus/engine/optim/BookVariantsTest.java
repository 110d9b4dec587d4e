package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The book's forms that torch lacks, Nesterov momentum with the gradient at the interim point
 * (Algorithm 8.3) and RMSProp with Nesterov momentum (Algorithm 8.6), against references
 * written straight from the algorithm boxes in plain {@code double[]} loops, on a small
 * quadratic (gradient {@code A x} by hand) and on the torch fixture's MLP (gradient from Gradus
 * autodiff, optimizer arithmetic in plain doubles).
 */
class BookVariantsTest {
  static final double[] A = {1, 10, 100};
  static final double[] X0 = {1.0, -0.5, 0.25};

  /** Algorithm 8.3 on doubles: θ̃ = θ + αv; g = ∇J(θ̃); v ← αv − εg; θ ← θ + v. */
  static Map<String, double[]> nesterovReference(Map<String, double[]> theta0, Function<Map<String, double[]>, Map<String, double[]>> grad,
      double lr, double alpha, int steps) {
    Map<String, double[]> theta = copy(theta0);
    Map<String, double[]> v = zerosLike(theta0);
    for (int k = 0; k < steps; k++) {
      Map<String, double[]> interim = new LinkedHashMap<>();
      for (String p : theta.keySet()) {
        double[] t = theta.get(p).clone();
        for (int i = 0; i < t.length; i++) t[i] = t[i] + alpha * v.get(p)[i];
        interim.put(p, t);
      }
      Map<String, double[]> g = grad.apply(interim);
      for (String p : theta.keySet()) {
        double[] vp = v.get(p);
        double[] tp = theta.get(p);
        for (int i = 0; i < vp.length; i++) {
          vp[i] = alpha * vp[i] - lr * g.get(p)[i];
          tp[i] = tp[i] + vp[i];
        }
      }
    }
    return theta;
  }

  /**
   * Algorithm 8.6 on doubles: θ̃ = θ + αv; g = ∇J(θ̃); r ← ρr + (1−ρ)g²; v ← αv − ε g/(√r + δ);
   * θ ← θ + v (δ = 0 is the box; δ is added to the root as in torch's RMSprop).
   */
  static Map<String, double[]> rmspropNesterovReference(Map<String, double[]> theta0,
      Function<Map<String, double[]>, Map<String, double[]>> grad, double lr, double rho, double delta, double alpha, int steps) {
    Map<String, double[]> theta = copy(theta0);
    Map<String, double[]> v = zerosLike(theta0);
    Map<String, double[]> r = zerosLike(theta0);
    for (int k = 0; k < steps; k++) {
      Map<String, double[]> interim = new LinkedHashMap<>();
      for (String p : theta.keySet()) {
        double[] t = theta.get(p).clone();
        for (int i = 0; i < t.length; i++) t[i] = t[i] + alpha * v.get(p)[i];
        interim.put(p, t);
      }
      Map<String, double[]> g = grad.apply(interim);
      for (String p : theta.keySet()) {
        double[] vp = v.get(p);
        double[] rp = r.get(p);
        double[] tp = theta.get(p);
        double[] gp = g.get(p);
        for (int i = 0; i < vp.length; i++) {
          rp[i] = rho * rp[i] + (1 - rho) * gp[i] * gp[i];
          vp[i] = alpha * vp[i] - lr * gp[i] / (Math.sqrt(rp[i]) + delta);
          tp[i] = tp[i] + vp[i];
        }
      }
    }
    return theta;
  }

  static Map<String, double[]> quadraticGradient(Map<String, double[]> x) {
    double[] g = new double[A.length];
    for (int i = 0; i < g.length; i++) g[i] = A[i] * x.get(TestProblems.PATH)[i];
    return Map.of(TestProblems.PATH, g);
  }

  // ---- the quadratic -----------------------------------------------------------------------

  /**
   * The brief's plain loop: offsets added to the parameters, gradient, offsets subtracted
   * again, update. (Subtracting is not bit-exact; {@link LookAhead#gradientAt} restores by copy.)
   */
  @Test
  void bookNesterovOnQuadraticWithAddSubtractLoop() {
    Backend be = new ReferenceBackend();
    TestProblems.Objective q = TestProblems.quadratic(A, X0);
    GradientTransform opt = Optimizers.nesterovBook(0.015, 0.9);
    try (ParameterSet params = q.parameters(be, dev.gradus.engine.tensor.DType.FLOAT64)) {
      OptimizerState state = opt.init(params);
      for (int k = 0; k < 60; k++) {
        try (MemoryScope s = be.openScope()) {
          Map<String, Tensor> offsets = LookAhead.offsets(opt, state, params);
          assertEquals(k == 0 ? 0 : 1, offsets.size());
          offsets.forEach((p, o) -> be.addInPlace(params.get(p).value(), o, 1.0));
          Map<String, Tensor> grads = q.evaluateWithGradient(params).gradients();
          offsets.forEach((p, o) -> be.addInPlace(params.get(p).value(), o, -1.0));
          GradientTransform.Update u = opt.update(grads, state, params);
          Optimizers.applyUpdates(params, u.updates());
          state = u.state();
        }
      }
      double[] expected = nesterovReference(Map.of(TestProblems.PATH, X0), BookVariantsTest::quadraticGradient, 0.015, 0.9, 60)
          .get(TestProblems.PATH);
      assertClose(expected, params.get(TestProblems.PATH).value().toDoubles(), 1e-12, "book Nesterov (add/subtract loop)");
    }
  }

  @Test
  void bookNesterovOnQuadraticIsExactWithGradientAt() {
    double[] actual = runOnQuadratic(Optimizers.nesterovBook(0.015, 0.9), 60);
    double[] expected = nesterovReference(Map.of(TestProblems.PATH, X0), BookVariantsTest::quadraticGradient, 0.015, 0.9, 60)
        .get(TestProblems.PATH);
    assertClose(expected, actual, 1e-15, "book Nesterov (gradientAt)");
  }

  @Test
  void rmspropNesterovOnQuadratic() {
    double[] actual = runOnQuadratic(Optimizers.rmspropNesterov(0.01, 0.9, 1e-8, 0.9), 80);
    double[] expected = rmspropNesterovReference(Map.of(TestProblems.PATH, X0), BookVariantsTest::quadraticGradient,
        0.01, 0.9, 1e-8, 0.9, 80).get(TestProblems.PATH);
    assertClose(expected, actual, 1e-14, "RMSProp + Nesterov");
  }

  /** δ = 0: the box of Algorithm 8.6 exactly (no ε anywhere). */
  @Test
  void rmspropNesterovWithoutEpsilonIsTheBox() {
    double[] actual = runOnQuadratic(Optimizers.rmspropNesterov(0.01, 0.9, 0.0, 0.5), 80);
    double[] expected = rmspropNesterovReference(Map.of(TestProblems.PATH, X0), BookVariantsTest::quadraticGradient,
        0.01, 0.9, 0.0, 0.5, 80).get(TestProblems.PATH);
    assertClose(expected, actual, 1e-14, "RMSProp + Nesterov, δ = 0");
  }

  /**
   * The two Nesterov forms are one method seen from two points: torch's iterates are the book
   * form's interim points {@code θ + αv} (with v = −ε·buffer), so after every step
   * {@code θ_torch = θ_book + α v_book}.
   */
  @Test
  void torchNesterovIteratesAreTheBookInterimPoints() {
    Backend be = new ReferenceBackend();
    TestProblems.Objective q = TestProblems.quadratic(A, X0);
    GradientTransform book = Optimizers.nesterovBook(0.015, 0.9);
    GradientTransform torch = Optimizers.nesterov(0.015, 0.9);
    try (ParameterSet pb = q.parameters(be, dev.gradus.engine.tensor.DType.FLOAT64);
        ParameterSet pt = q.parameters(be, dev.gradus.engine.tensor.DType.FLOAT64)) {
      OptimizerState sb = book.init(pb);
      OptimizerState st = torch.init(pt);
      for (int k = 0; k < 40; k++) {
        sb = step(be, book, sb, pb, q);
        st = step(be, torch, st, pt, q);
        double[] theta = pb.get(TestProblems.PATH).value().toDoubles();
        double[] interim = theta.clone();
        Map<String, Tensor> off = LookAhead.offsets(book, sb, pb);
        double[] o = off.get(TestProblems.PATH).toDoubles();
        for (int i = 0; i < interim.length; i++) interim[i] += o[i];
        assertClose(interim, pt.get(TestProblems.PATH).value().toDoubles(), 1e-13, "step " + k);
      }
    }
  }

  // ---- the MLP ----------------------------------------------------------------------------

  @Test
  void bookNesterovOnTheMlp() {
    TorchTrajectories fx = TorchTrajectories.load();
    TinyMlp mlp = fx.mlp(new ReferenceBackend());
    GradientTransform opt = Optimizers.nesterovBook(0.05, 0.9);
    try (ParameterSet params = mlp.parameters()) {
      Map<String, double[]> start = params.snapshot();
      mlp.run(opt, opt.init(params), params, 50, null);
      Map<String, double[]> expected = nesterovReference(start, mlp::gradientAt, 0.05, 0.9, 50);
      for (String p : expected.keySet()) assertClose(expected.get(p), params.get(p).value().toDoubles(), 1e-12, p);
      // and it is not classic momentum: the look-ahead changed the trajectory
      try (ParameterSet classic = mlp.parameters()) {
        GradientTransform m = Optimizers.momentum(0.05, 0.9);
        mlp.run(m, m.init(classic), classic, 50, null);
        assertTrue(maxDifference(classic.snapshot(), params.snapshot()) > 1e-4);
      }
    }
  }

  @Test
  void rmspropNesterovOnTheMlp() {
    TorchTrajectories fx = TorchTrajectories.load();
    TinyMlp mlp = fx.mlp(new ReferenceBackend());
    GradientTransform opt = Optimizers.rmspropNesterov(0.005, 0.9, 1e-8, 0.9);
    try (ParameterSet params = mlp.parameters()) {
      Map<String, double[]> start = params.snapshot();
      mlp.run(opt, opt.init(params), params, 50, null);
      Map<String, double[]> expected = rmspropNesterovReference(start, mlp::gradientAt, 0.005, 0.9, 1e-8, 0.9, 50);
      for (String p : expected.keySet()) assertClose(expected.get(p), params.get(p).value().toDoubles(), 1e-12, p);
    }
  }

  // ---- look-ahead plumbing ----------------------------------------------------------------

  @Test
  void gradientAtRestoresParametersBitForBitEvenWhenTheGradientThrows() {
    Backend be = new ReferenceBackend();
    ParameterSet params = new ParameterSet();
    double[] values = {0.1, 0.2, 0.3};
    params.add(new Parameter("w", be.detach(be.fromDoubles(values.clone(), 3)), true));
    Map<String, Tensor> offsets = Map.of("w", be.fromDoubles(new double[] {1e-17, 3.3, -7.1}, 3));
    double[] seen = LookAhead.gradientAt(params, offsets, () -> params.get("w").value().toDoubles());
    assertEquals(0.1 + 1e-17, seen[0]);
    assertEquals(0.2 + 3.3, seen[1]);
    assertTrue(java.util.Arrays.equals(values, params.get("w").value().toDoubles()));
    try {
      LookAhead.gradientAt(params, offsets, () -> {
        throw new IllegalStateException("boom");
      });
    } catch (IllegalStateException expected) {
      // restored anyway
    }
    assertTrue(java.util.Arrays.equals(values, params.get("w").value().toDoubles()));
  }

  @Test
  void findSearchesChainsRecursively() {
    Backend be = new ReferenceBackend();
    TestProblems.Objective q = TestProblems.quadratic(A, X0);
    GradientTransform inner = Optimizers.rmspropNesterov(0.01, 0.9, 1e-8, 0.9);
    GradientTransform outer = GradientTransform.chain(new AddDecayedWeights(0.0), inner);
    assertTrue(LookAhead.present(outer));
    assertTrue(!LookAhead.present(Optimizers.adam()));
    assertTrue(!LookAhead.present(Optimizers.nesterov(0.1, 0.9)));
    try (ParameterSet params = q.parameters(be, dev.gradus.engine.tensor.DType.FLOAT64)) {
      OptimizerState s = outer.init(params);
      assertEquals(1, LookAhead.find(outer, s).size());
      assertTrue(LookAhead.find(outer, s).get(0).transform() instanceof Velocity);
      assertTrue(LookAhead.offsets(outer, s, params).isEmpty(), "no offset before the first update");
      s = step(be, outer, s, params, q);
      Map<String, Tensor> off = LookAhead.offsets(outer, s, params);
      Tensor v = ((Chain.State) ((Chain.State) s).members().get(1)).members().get(1).tensors().get("velocity/x");
      double[] vv = v.toDoubles();
      double[] oo = off.get("x").toDoubles();
      for (int i = 0; i < vv.length; i++) assertEquals(0.9 * vv[i], oo[i]);
      // classic momentum has none
      GradientTransform classic = Optimizers.momentum(0.01, 0.9);
      OptimizerState cs = step(be, classic, classic.init(params), params, q);
      assertTrue(LookAhead.offsets(classic, cs, params).isEmpty());
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static double[] runOnQuadratic(GradientTransform opt, int steps) {
    Backend be = new ReferenceBackend();
    TestProblems.Objective q = TestProblems.quadratic(A, X0);
    try (ParameterSet params = q.parameters(be, dev.gradus.engine.tensor.DType.FLOAT64)) {
      OptimizerState state = opt.init(params);
      for (int k = 0; k < steps; k++) state = step(be, opt, state, params, q);
      return params.get(TestProblems.PATH).value().toDoubles();
    }
  }

  static OptimizerState step(Backend be, GradientTransform opt, OptimizerState state, ParameterSet params, TestProblems.Objective q) {
    try (MemoryScope s = be.openScope()) {
      Map<String, Tensor> grads = LookAhead.gradientAt(opt, state, params, () -> q.evaluateWithGradient(params).gradients());
      GradientTransform.Update u = opt.update(grads, state, params);
      Optimizers.applyUpdates(params, u.updates());
      return u.state();
    }
  }

  static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      double e = Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
      assertTrue(e <= tolerance, what + " [" + i + "]: " + actual[i] + " vs reference " + expected[i] + " (error " + e + ")");
    }
  }

  static double maxDifference(Map<String, double[]> a, Map<String, double[]> b) {
    double worst = 0;
    for (String p : a.keySet()) {
      for (int i = 0; i < a.get(p).length; i++) worst = Math.max(worst, Math.abs(a.get(p)[i] - b.get(p)[i]));
    }
    return worst;
  }

  static Map<String, double[]> copy(Map<String, double[]> m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  static Map<String, double[]> zerosLike(Map<String, double[]> m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, new double[v.length]));
    return out;
  }
}
