package dev.gradus.engine.nn;

import dev.gradus.engine.testkit.LayerGradientCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DropoutTest {
  private Backend be;

  @BeforeAll
  void open() {
    be = new ReferenceBackend();
  }

  @AfterAll
  void close() {
    be.close();
  }

  private double[] run(Tape tape, Dropout d, double[] x, int rows) {
    Var in = tape.constant(be.fromDoubles(x, rows, d.features()), "x");
    return d.forward(in, name -> null).value().toDoubles();
  }

  @Test
  void keepsAboutOneMinusRateAndScalesKeptValuesExactly() {
    int rows = 200;
    int cols = 500;
    double rate = 0.3;
    double[] ones = new double[rows * cols];
    Arrays.fill(ones, 1.0);
    try (MemoryScope s = be.openScope()) {
      double[] y = run(Tape.training(be).withRandom(new RandomStream("dropout", 5)), new Dropout(cols, rate), ones, rows);
      int kept = 0;
      for (double v : y) {
        if (v != 0) {
          kept++;
          assertEquals(1 / (1 - rate), v, 0.0);
        }
      }
      double n = y.length;
      double p = 1 - rate;
      double sigma = Math.sqrt(p * (1 - p) / n);
      assertEquals(p, kept / n, 4 * sigma, "keep fraction");
    }
  }

  @Test
  void identityInEvaluationAndAtRateZero() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var x = tape.constant(be.fromDoubles(new double[] {1, 2, 3, 4}, 2, 2), "x");
      assertSame(x, new Dropout(2, 0.9).forward(x, name -> null));
      Tape training = Tape.training(be); // no stream needed: nothing is drawn
      Var y = training.constant(be.fromDoubles(new double[] {1, 2, 3, 4}, 2, 2), "x");
      assertSame(y, new Dropout(2, 0.0).forward(y, name -> null));
    }
  }

  @Test
  void deterministicUnderASeed() {
    double[] x = LayerGradientCheck.uniform(1, 60, -1, 1);
    try (MemoryScope s = be.openScope()) {
      double[] a = run(Tape.training(be).withRandom(new RandomStream("dropout", 42)), new Dropout(6, 0.5), x, 10);
      double[] b = run(Tape.training(be).withRandom(new RandomStream("dropout", 42)), new Dropout(6, 0.5), x, 10);
      double[] c = run(Tape.training(be).withRandom(new RandomStream("dropout", 43)), new Dropout(6, 0.5), x, 10);
      assertArrayEquals(a, b, 0.0);
      assertFalse(Arrays.equals(a, c), "another seed gives another mask");
    }
  }

  @Test
  void gradientWithAFixedMask() {
    GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 7), new Dropout(5, 0.4), 4, 30);
    System.out.println("gradient check dropout (training, fixed mask): max error " + r.maxError() + " at " + r.where());
    assertTrue(r.maxError() < 1e-8, r.maxError() + " at " + r.where());
  }

  @Test
  void float32MaskKeepsFloat32() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be).withRandom(new RandomStream("dropout", 1));
      Var x = tape.constant(be.fromFloats(new float[] {1, 2, 3, 4}, 2, 2), "x");
      assertEquals(DType.FLOAT32, new Dropout(2, 0.5).forward(x, name -> null).value().dtype());
    }
  }

  @Test
  void validatesRateAndNeedsAStreamInTraining() {
    assertThrows(IllegalArgumentException.class, () -> new Dropout(3, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(3, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(3, Double.NaN));
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.training(be);
      Var x = tape.constant(be.fromDoubles(new double[] {1, 2, 3}, 1, 3), "x");
      var e = assertThrows(IllegalStateException.class, () -> new Dropout(3, 0.5).forward(x, name -> null));
      assertTrue(e.getMessage().contains("random stream"), e.getMessage());
    }
  }
}
