package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every torch.optim configuration in {@code reference/torch/optimizer_trajectories.txt}, rebuilt
 * from Gradus transforms and run on the same MLP in float64 with Gradus autodiff on the
 * reference backend: the loss before each of the 100 steps and every parameter after each step
 * agree with torch within {@code |a − b| ≤ 1e-5 · max(1, |b|)}.
 *
 * <p>Observed: at most 4e-15 for every configuration but {@code rmsprop_centered_momentum_wd},
 * where it grows to 1.6e-10 by step 100. The difference is rounding only: torch's CPU kernels
 * fuse {@code a + α·b} into one multiply-add (checked: {@code add_(x, alpha=)} equals the exactly
 * rounded {@code a + αb}), the reference backend rounds twice, and the centered variance
 * {@code r − m²} with ρ = 0.9 cancels, amplifying the last-bit differences late in the run.
 */
class TorchOptimizerTrajectoryTest {
  static final double TOLERANCE = 1e-5;
  /** Much tighter than the requirement: what float64 agreement actually gives (rounding only, see above). */
  static final double OBSERVED_BOUND = 1e-9;

  @Test
  void fixtureCoversEveryOptimizer() {
    TorchTrajectories fx = TorchTrajectories.load();
    assertTrue(fx.torchVersion.startsWith("1.13"), fx.torchVersion);
    List<String> kinds = new ArrayList<>();
    for (TorchTrajectories.Config c : fx.configs.values()) {
      if (!kinds.contains(c.optimizer())) kinds.add(c.optimizer());
      assertEquals(100, c.steps().size(), c.name());
    }
    assertEquals(List.of("SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta"), kinds);
  }

  @TestFactory
  List<DynamicTest> matchesTorch() {
    TorchTrajectories fx = TorchTrajectories.load();
    List<DynamicTest> tests = new ArrayList<>();
    for (TorchTrajectories.Config c : fx.configs.values()) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> check(fx, c)));
    }
    return tests;
  }

  private static void check(TorchTrajectories fx, TorchTrajectories.Config c) {
    ReferenceBackend be = new ReferenceBackend();
    TinyMlp mlp = fx.mlp(be);
    GradientTransform opt = c.build();
    double[] worst = {0};
    String[] where = {""};
    try (ParameterSet params = mlp.parameters()) {
      mlp.run(opt, opt.init(params), params, c.steps().size(), (k, loss) -> {
        TorchTrajectories.Step expected = c.steps().get(k - 1);
        assertEquals(k, expected.k());
        double e = error(loss, expected.loss());
        if (e > worst[0]) {
          worst[0] = e;
          where[0] = "loss before step " + k;
        }
        double[] actual = TinyMlp.flatten(params);
        assertEquals(expected.params().length, actual.length);
        for (int i = 0; i < actual.length; i++) {
          double ei = error(actual[i], expected.params()[i]);
          if (ei > worst[0] || Double.isNaN(ei)) {
            worst[0] = ei;
            where[0] = "parameter value " + i + " after step " + k + ": " + actual[i] + " vs torch " + expected.params()[i];
          }
          assertTrue(ei <= TOLERANCE, c.name() + ": " + where[0]);
        }
      });
    }
    System.out.printf(Locale.ROOT, "torch agreement %-30s worst relative error %.2e%n", c.name(), worst[0]);
    assertTrue(worst[0] <= OBSERVED_BOUND, c.name() + ": worst error " + worst[0] + " at " + where[0]);
  }

  /** {@code |a − b| / max(1, |b|)}. */
  static double error(double a, double b) {
    return Math.abs(a - b) / Math.max(1.0, Math.abs(b));
  }
}
