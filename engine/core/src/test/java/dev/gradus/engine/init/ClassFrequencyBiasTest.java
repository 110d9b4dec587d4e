package dev.gradus.engine.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClassFrequencyBiasTest {
  static double[] softmax(double[] b) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : b) max = Math.max(max, v);
    double sum = 0;
    double[] e = new double[b.length];
    for (int i = 0; i < b.length; i++) sum += e[i] = Math.exp(b[i] - max);
    for (int i = 0; i < b.length; i++) e[i] /= sum;
    return e;
  }

  @Test
  void softmaxOfTheBiasesReproducesTheLabelFrequencies() {
    // 6 labels: class 0 ×3, class 1 ×2, class 2 ×1 → frequencies 1/2, 1/3, 1/6
    ClassFrequencyBias init = ClassFrequencyBias.fromLabels(new int[] {0, 1, 0, 2, 1, 0}, 3);
    double[] b = init.sample(new long[] {3}, 8, 3, null);
    assertArrayEquals(new double[] {0.5, 1.0 / 3, 1.0 / 6}, softmax(b), 1e-15);
    assertEquals(0.0, b[0] + b[1] + b[2], 1e-15); // centred
  }

  @Test
  void sigmoidBiasesAreTheLogitsOfTheClassMeans() {
    ClassFrequencyBias init = ClassFrequencyBias.fromLabels(new int[] {0, 1, 0, 2, 1, 0}, 3).forOutput(ClassFrequencyBias.Output.SIGMOID);
    double[] b = init.sample(new long[] {3}, 8, 3, null);
    double[] p = {0.5, 1.0 / 3, 1.0 / 6};
    for (int c = 0; c < 3; c++) {
      assertEquals(p[c], 1 / (1 + Math.exp(-b[c])), 1e-15); // σ(b_c) = mean of the one-hot column
      assertEquals(Math.log(p[c] / (1 - p[c])), b[c], 1e-15);
    }
  }

  @Test
  void regressionBiasesAreTheMeanTargets() {
    ClassFrequencyBias init = ClassFrequencyBias.fromLabels(new int[] {0, 1, 0, 2, 1, 0}, 3).forOutput(ClassFrequencyBias.Output.IDENTITY);
    assertArrayEquals(new double[] {0.5, 1.0 / 3, 1.0 / 6}, init.sample(new long[] {3}, 8, 3, null), 1e-15);
  }

  @Test
  void anAbsentClassGetsHalfAnExampleAndStaysFinite() {
    // counts 3, 0 → 3, 0.5 → 6/7, 1/7
    ClassFrequencyBias init = ClassFrequencyBias.fromLabels(new int[] {0, 0, 0}, 2);
    assertArrayEquals(new double[] {6.0 / 7, 1.0 / 7}, init.frequencies(), 1e-15);
    double[] b = init.sample(new long[] {2}, 4, 2, null);
    assertArrayEquals(new double[] {6.0 / 7, 1.0 / 7}, softmax(b), 1e-15);
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ClassFrequencyBias.fromLabels(new int[] {3}, 3));
    assertThrows(IllegalArgumentException.class, () -> ClassFrequencyBias.fromLabels(new int[0], 3));
    ClassFrequencyBias init = ClassFrequencyBias.fromLabels(new int[] {0, 1, 2}, 3);
    assertThrows(IllegalArgumentException.class, () -> init.sample(new long[] {2}, 4, 2, null));
    assertThrows(IllegalArgumentException.class, () -> init.sample(new long[] {3, 3}, 3, 3, null));
  }
}
