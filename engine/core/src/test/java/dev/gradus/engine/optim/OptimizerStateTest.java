package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Exact resume for every optimizer: k steps, {@link StateDict#of}, {@link GradientTransform#restore}
 * into a fresh instance on fresh parameters, then more steps, is bit-identical to an
 * uninterrupted run (parameters and state). And hyperparameters report their values at the step.
 */
class OptimizerStateTest {
  static Schedule decaying(double lr) {
    return t -> lr / (1.0 + 0.1 * t);
  }

  /** Every factory, with schedules where they matter (evaluated at the state's step after restore). */
  static Map<String, Supplier<GradientTransform>> optimizers() {
    Map<String, Supplier<GradientTransform>> m = new LinkedHashMap<>();
    m.put("sgd", () -> Optimizers.sgd(decaying(0.1)));
    m.put("sgd momentum wd", () -> Optimizers.sgd(decaying(0.05), Schedule.constant(0.9), false, Schedule.constant(1e-2)));
    m.put("sgd dampening", () -> Optimizers.sgdBuilder(0.05).momentum(0.9).dampening(0.3).build());
    m.put("nesterov (torch)", () -> Optimizers.nesterov(decaying(0.05), t -> Math.min(0.99, 0.5 + 0.05 * t)));
    m.put("momentum (book)", () -> Optimizers.momentum(decaying(0.05), Schedule.constant(0.9)));
    m.put("nesterov (book)", () -> Optimizers.nesterovBook(decaying(0.05), t -> Math.min(0.99, 0.5 + 0.05 * t)));
    m.put("adagrad", () -> Optimizers.adagrad(0.1, 0.01, 1e-2, 0.1, 1e-10));
    m.put("rmsprop", () -> Optimizers.rmsprop());
    m.put("rmsprop centered momentum", () -> Optimizers.rmsprop(0.01, 0.9, 1e-8, 0.5, true));
    m.put("rmsprop nesterov (book)", () -> Optimizers.rmspropBuilder().lr(decaying(0.01)).momentum(0.9).nesterov(true).centered(true).build());
    m.put("adam", () -> Optimizers.adamBuilder().lr(decaying(0.01)).beta1(t -> 0.8 + 0.01 * Math.min(t, 10)).build());
    m.put("adam amsgrad wd", () -> Optimizers.adamBuilder().lr(0.01).amsgrad(true).weightDecay(1e-2).build());
    m.put("adamw amsgrad", () -> Optimizers.adamw(0.01, 0.9, 0.999, 1e-8, 0.1, true));
    m.put("adadelta", () -> Optimizers.adadeltaBuilder().lr(decaying(1.0)).weightDecay(1e-2).build());
    return m;
  }

  @TestFactory
  List<DynamicTest> resumeIsBitIdentical() {
    List<DynamicTest> tests = new ArrayList<>();
    optimizers().forEach((name, factory) -> tests.add(DynamicTest.dynamicTest(name, () -> checkResume(factory))));
    return tests;
  }

  private static void checkResume(Supplier<GradientTransform> factory) {
    TorchTrajectories fx = TorchTrajectories.load();
    Backend be = new ReferenceBackend();
    TinyMlp mlp = fx.mlp(be);
    int k = 7;
    int more = 8;
    // uninterrupted
    GradientTransform straight = factory.get();
    ParameterSet a = mlp.parameters();
    OptimizerState sa = mlp.run(straight, straight.init(a), a, k + more, null);
    // interrupted: k steps, state dict, a fresh optimizer and fresh parameters restored from copies
    GradientTransform first = factory.get();
    ParameterSet b = mlp.parameters();
    OptimizerState sb = mlp.run(first, first.init(b), b, k, null);
    StateDict dict = StateDict.of(sb);
    assertEquals((double) k, dict.scalars().values().iterator().next(), "every member counts the steps");
    ParameterSet c = new ParameterSet();
    b.snapshot().forEach((path, values) ->
        c.add(new Parameter(path, be.detach(be.fromDoubles(DType.FLOAT64, values, b.get(path).value().shape())), true)));
    GradientTransform second = factory.get();
    OptimizerState sc = second.restore(dict, c);
    assertTrue(StateDict.of(sc).sameAs(dict), "restore gives back the same state");
    assertEquals(first.hyperparameters(sb), second.hyperparameters(sc));
    sc = mlp.run(second, sc, c, more, null);
    Map<String, double[]> pa = a.snapshot();
    Map<String, double[]> pc = c.snapshot();
    for (String p : pa.keySet()) assertTrue(Arrays.equals(pa.get(p), pc.get(p)), "parameter " + p + " differs after resume");
    assertTrue(StateDict.of(sa).sameAs(StateDict.of(sc)), "state differs after resume");
  }

  @Test
  void hyperparametersReportValuesAtTheStep() {
    TestProblems.Objective q = TestProblems.quadratic(new double[] {1, 2}, new double[] {1, 1});
    Backend be = new ReferenceBackend();
    Schedule lr = decaying(0.01);
    GradientTransform adam = Optimizers.adamBuilder().lr(lr).weightDecay(1e-2).build();
    try (ParameterSet params = q.parameters(be, DType.FLOAT64)) {
      OptimizerState s = adam.init(params);
      assertEquals(Map.of("weight_decay", 1e-2, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "lr", 0.01), adam.hyperparameters(s));
      for (int i = 0; i < 3; i++) s = BookVariantsTest.step(be, adam, s, params, q);
      assertEquals(0.01 / 1.3, adam.hyperparameters(s).get("lr"), 1e-18);
      assertTrue(adam.schedules().contains(lr));
      assertEquals(5, adam.schedules().size());
    }
    assertEquals(Map.of("lr", 0.1, "momentum", 0.9, "dampening", 0.0, "weight_decay", 1e-4),
        hyper(Optimizers.sgd(0.1, 0.9, true, 1e-4)));
    assertEquals(Map.of("lr", 0.01, "momentum", 0.9), hyper(Optimizers.nesterovBook(0.01, 0.9)));
    assertEquals(Map.of("lr", 1e-2, "eps", 1e-10), hyper(Optimizers.adagrad()));
    assertEquals(Map.of("lr", 0.1, "eps", 1e-10, "lr_decay", 0.01, "weight_decay", 1e-3),
        hyper(Optimizers.adagrad(0.1, 0.01, 1e-3, 0, 1e-10)));
    assertEquals(Map.of("lr", 1e-2, "alpha", 0.99, "eps", 1e-8), hyper(Optimizers.rmsprop()));
    assertEquals(Map.of("lr", 1e-2, "alpha", 0.99, "eps", 1e-8, "momentum", 0.9, "dampening", 0.0),
        hyper(Optimizers.rmsprop(1e-2, 0.99, 1e-8, 0.9, true)));
    assertEquals(Map.of("lr", 1e-3, "alpha", 0.9, "eps", 0.0, "momentum", 0.9), hyper(Optimizers.rmspropNesterov(1e-3, 0.9, 0.0, 0.9)));
    assertEquals(Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 1e-2), hyper(Optimizers.adamw()));
    assertEquals(Map.of("lr", 1.0, "rho", 0.9, "eps", 1e-6), hyper(Optimizers.adadelta()));
  }

  private static Map<String, Double> hyper(GradientTransform t) {
    Backend be = new ReferenceBackend();
    try (ParameterSet params = TestProblems.rosenbrock().parameters(be, DType.FLOAT64)) {
      return t.hyperparameters(t.init(params));
    }
  }

  @Test
  void stateIsKeyedByBufferAndPath() {
    Backend be = new ReferenceBackend();
    TorchTrajectories fx = TorchTrajectories.load();
    TinyMlp mlp = fx.mlp(be);
    try (ParameterSet params = mlp.parameters()) {
      GradientTransform adamw = Optimizers.adamw(1e-3, 0.9, 0.999, 1e-8, 0.1, true);
      StateDict d = StateDict.of(adamw.init(params));
      assertTrue(d.tensors().containsKey("0/exp_avg/layers.0.weight"));
      assertTrue(d.tensors().containsKey("0/max_exp_avg_sq/layers.1.bias"));
      assertEquals(12, d.tensors().size());
      assertEquals(Map.of("0/step", 0.0, "1/step", 0.0, "2/step", 0.0), d.scalars());
      // a state dict of another optimizer is refused with a message naming the missing entry
      GradientTransform sgd = Optimizers.sgd(0.1, 0.9, false, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.restore(d, params));
      assertTrue(e.getMessage().contains("momentum/layers.0.weight"), e.getMessage());
      // Adagrad starts from its initial accumulator value
      StateDict ad = StateDict.of(Optimizers.adagrad(0.1, 0, 0, 0.25, 1e-10).init(params));
      assertEquals(0.25, ad.tensor("0/sum/layers.0.bias")[3]);
    }
  }

  @Test
  void factoriesValidateLikeTorch() {
    assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(0.1, 0.0, true, 0));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.sgdBuilder(0.1).momentum(0.9).dampening(0.1).nesterov(true).build());
    assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(-0.1));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.adam(1e-3, 1.0, 0.999, 1e-8, false));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.rmspropNesterov(1e-3, 0.9, 1e-8, 0.0));
  }
}
