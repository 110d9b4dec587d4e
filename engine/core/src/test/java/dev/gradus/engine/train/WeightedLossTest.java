package dev.gradus.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import org.junit.jupiter.api.Test;

/** Example weights, label smoothing and temperature in every loss: closed forms and finite differences. */
class WeightedLossTest {
  private final Backend be = new ReferenceBackend();
  private final double[] z = {0.3, -1.2, 2.0, 0.0, -0.5, 4.0, 1.1, 0.2, -0.3};
  private final long[] labels = {2, 0, 1};
  private final double[] w = {0.5, 2.0, 1.0};

  private double perExampleWeightedMean(Loss loss) {
    try (MemoryScope s = be.openScope()) {
      double[] l = loss.perExample(be, be.fromDoubles(z, 3, 3), be.fromLongs(labels, 3)).toDoubles();
      double num = 0;
      double den = 0;
      for (int i = 0; i < 3; i++) {
        num += w[i] * l[i];
        den += w[i];
      }
      return num / den;
    }
  }

  @Test
  void weightedLossesAreTheWeightedMeansOfThePerExampleLosses() {
    for (Loss loss : Loss.values()) {
      try (MemoryScope s = be.openScope()) {
        Tape tape = Tape.training(be);
        double got = loss.apply(tape.leaf(be.fromDoubles(z, 3, 3), "z"), be.fromLongs(labels, 3), be.fromDoubles(w, 3), 0, 1)
            .value().item();
        assertEquals(perExampleWeightedMean(loss), got, 1e-12, loss.id());
        // and the unweighted loss is the plain mean of the per-example ones
        double plain = loss.apply(tape.leaf(be.fromDoubles(z, 3, 3), "z"), be.fromLongs(labels, 3)).value().item();
        double[] l = loss.perExample(be, be.fromDoubles(z, 3, 3), be.fromLongs(labels, 3)).toDoubles();
        assertEquals((l[0] + l[1] + l[2]) / 3, plain, 1e-12, loss.id());
      }
    }
  }

  @Test
  void gradientsOfTheGeneralFormAgreeWithFiniteDifferences() {
    for (Loss loss : Loss.values()) {
      double t = loss == Loss.MEAN_SQUARED_ERROR ? 1.0 : 1.7;
      GradientCheck.Result r = GradientCheck.check(be,
          v -> loss.apply(v.get(0), be.fromLongs(labels, 3), be.fromDoubles(w, 3), 0.2, t), 1e-6, new GradientCheck.Input(z.clone(), 3, 3));
      assertTrue(r.maxError() < 1e-7, loss.id() + ": " + r);
    }
  }
}
