package dev.gradus.engine.continuation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.Normal;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.OptimizerState;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.schedule.LinearDecay;
import dev.gradus.engine.schedule.Schedules;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.train.TrainingStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Continuation: schedules of the epoch, Gaussian smoothing's estimator, parameter noise, label smoothing and temperature in the loss. */
class ContinuationTest {
  private final Backend be = new ReferenceBackend();

  /** Records the gradient it is given and changes nothing. */
  private static final class GradientRecorder implements GradientTransform {
    Map<String, double[]> last;

    @Override
    public OptimizerState init(ParameterSet params) {
      return OptimizerState.EMPTY;
    }

    @Override
    public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
      last = new LinkedHashMap<>();
      Map<String, Tensor> zero = new LinkedHashMap<>();
      gradients.forEach((k, g) -> {
        last.put(k, g.toDoubles());
        zero.put(k, g.backend().zeros(g.dtype(), g.shape()));
      });
      return new Update(zero, state);
    }
  }

  @Test
  void schedulesGiveTheAmountsOfEachEpochAndOffMeansPlain() {
    Continuation c = Continuation.none()
        .withGaussianSmoothing(new LinearDecay(0.2, 4, 0.0), 3)
        .withTemperature(new LinearDecay(4.0, 3, 1.0));
    assertEquals(0.2, c.at(0).smoothingSigma(), 1e-15);
    assertEquals(0.1, c.at(2).smoothingSigma(), 1e-15);
    assertEquals(0.0, c.at(10).smoothingSigma(), 0.0);
    assertEquals(2.0, c.at(2).temperature(), 1e-15);
    assertEquals(1.0, c.at(5).temperature(), 0.0);
    Map<String, Double> d = c.describe(1);
    assertEquals(List.of("continuation.sigma", "continuation.temperature"), List.copyOf(d.keySet()));
    assertEquals(0.15, d.get("continuation.sigma"), 1e-15);
    assertEquals(3.0, d.get("continuation.temperature"), 1e-15);
    assertTrue(Continuation.none().at(3).isPlain());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Continuation.none().withLabelSmoothing(Schedules.constant(1.5)).at(0));
    assertTrue(e.getMessage().contains("continuation at epoch 1: label smoothing"), e.getMessage());
  }

  @Test
  void gaussianSmoothingsGradientIsUnbiasedOnAQuadratic() {
    // a linear model with squared error: J(W) is quadratic in W, so E[∇J(W + σε)] = ∇J(W) exactly
    Model model = new Model(3, List.of(new Dense(3, 2, false, new Normal(0.5), Constant.ZEROS)));
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStreams(11).stream(RandomStreams.INIT));
        MemoryScope s = be.openScope()) {
      Tensor x = be.fromDoubles(new double[] {0.5, -1.0, 2.0, 1.5, 0.3, -0.7}, 2, 3);
      Tensor y = be.fromLongs(new long[] {0, 1}, 2);
      GradientRecorder exact = new GradientRecorder();
      new TrainingStep(be, model, exact, "t", true, Loss.MEAN_SQUARED_ERROR, null, null).run(p, exact.init(p), x, y, 1, 1);
      double[] g = exact.last.get("layers.0.weight");
      GradientRecorder smoothed = new GradientRecorder();
      int steps = 400;
      double sigma = 0.8;
      TrainingStep step = new TrainingStep(be, model, smoothed, "t", true, Loss.MEAN_SQUARED_ERROR, null, new RandomStream("noise", 3));
      double[] mean = new double[g.length];
      double[] sq = new double[g.length];
      for (int i = 0; i < steps; i++) {
        step.run(p, smoothed.init(p), x, y, null, new ObjectiveSettings(sigma, 5, 0, 1, 0), 1, i + 1);
        double[] gi = smoothed.last.get("layers.0.weight");
        for (int j = 0; j < g.length; j++) {
          mean[j] += gi[j] / steps;
          sq[j] += gi[j] * gi[j] / steps;
        }
      }
      for (int j = 0; j < g.length; j++) {
        double sd = Math.sqrt(Math.max(sq[j] - mean[j] * mean[j], 0));
        // the mean of 400 estimates lies within 4 standard errors of the exact gradient, and each estimate does vary
        assertEquals(g[j], mean[j], 4 * sd / Math.sqrt(steps) + 1e-12, "coordinate " + j);
        assertTrue(sd > 1e-3, "the estimator should be noisy at sigma " + sigma);
      }
    }
  }

  @Test
  void parameterNoiseHasTheScheduledSpreadAndIsReproducible() {
    Model model = new Model(50, List.of(new Dense(50, 40, false, new Normal(0.5), Constant.ZEROS)));
    double[][] after = new double[2][];
    for (int run = 0; run < 2; run++) {
      try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStreams(5).stream(RandomStreams.INIT));
          MemoryScope s = be.openScope()) {
        double[] before = p.get("layers.0.weight").value().toDoubles();
        GradientRecorder none = new GradientRecorder();
        TrainingStep step = new TrainingStep(be, model, none, "t", true, Loss.SOFTMAX_CROSS_ENTROPY, null, new RandomStream("noise", 8));
        step.run(p, none.init(p), be.fromDoubles(new double[50], 1, 50), be.fromLongs(new long[] {3}, 1), null,
            new ObjectiveSettings(0, 1, 0, 1, 0.1), 1, 1);
        after[run] = p.get("layers.0.weight").value().toDoubles();
        double ss = 0;
        for (int i = 0; i < before.length; i++) ss += (after[run][i] - before[i]) * (after[run][i] - before[i]);
        double std = Math.sqrt(ss / before.length);
        assertEquals(0.1, std, 4 * 0.1 / Math.sqrt(2 * before.length)); // the sample std of 2000 N(0, 0.01) draws
      }
    }
    assertArrayEquals(after[0], after[1], 0.0);
  }

  @Test
  void labelSmoothingAndTemperatureMatchTheirClosedForms() {
    double[] z = {2.0, -1.0, 0.5, 0.1, 0.3, -0.2};
    long[] labels = {0, 2};
    double eps = 0.1;
    double t = 2.0;
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var out = tape.leaf(be.fromDoubles(z, 2, 3), "z");
      double got = Loss.SOFTMAX_CROSS_ENTROPY.apply(out, be.fromLongs(labels, 2), null, eps, t).value().item();
      double expected = 0;
      for (int r = 0; r < 2; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 3; k++) max = Math.max(max, z[r * 3 + k] / t);
        double lse = 0;
        for (int k = 0; k < 3; k++) lse += Math.exp(z[r * 3 + k] / t - max);
        lse = Math.log(lse) + max;
        for (int k = 0; k < 3; k++) expected += -((labels[r] == k ? 1 - eps : 0) + eps / 3) * (z[r * 3 + k] / t - lse);
      }
      assertEquals(expected / 2, got, 1e-12);
      // with all weights 1, no smoothing and T = 1 the general form is the plain loss
      double plain = Loss.SOFTMAX_CROSS_ENTROPY.apply(out, be.fromLongs(labels, 2)).value().item();
      double general = Loss.SOFTMAX_CROSS_ENTROPY.apply(out, be.fromLongs(labels, 2), be.fromDoubles(new double[] {1, 1}, 2), 0, 1)
          .value().item();
      assertEquals(plain, general, 1e-12);
      assertThrows(IllegalArgumentException.class, () -> Loss.MEAN_SQUARED_ERROR.apply(out, be.fromLongs(labels, 2), null, 0, 2));
    }
  }
}
