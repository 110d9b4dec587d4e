package dev.gradus.curricula;

import static dev.gradus.curricula.PacingsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.data.Shapeset;
import dev.gradus.engine.data.ShapesetConfig;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.train.Loss;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DifficultiesTest {
  @Test
  void metadataReadsTheKeyAndListsTheKeysWhenAbsent() {
    Dataset d = Fixtures.data(3, Map.of("size", new double[] {3, 1, 2}));
    Difficulty m = Difficulties.metadata("size");
    assertArrayEquals(new double[] {3, 1, 2}, m.scores(d));
    assertEquals("metadata(size)", m.describe());
    assertMessage(() -> Difficulties.metadata("colour").scores(d), "colour", "[size]", "synthetic");
  }

  @Test
  void ofScoresEachExampleFromItsFeaturesAndLabel() {
    Dataset d = Fixtures.data(4, Map.of());
    // feature = row index, label = row % 2
    assertArrayEquals(new double[] {0, 11, 2, 13}, Difficulties.of("f+10y", (f, y) -> f[0] + 10 * y).scores(d));
    assertMessage(() -> Difficulties.of("bad", (f, y) -> Double.NaN).scores(d), "bad", "NaN", "row 0");
  }

  @Test
  void scoresAreCheckedAgainstTheDataSetSize() {
    Dataset d = Fixtures.data(3, Map.of());
    assertArrayEquals(new double[] {1, 2, 3}, Difficulties.scores("given", new double[] {1, 2, 3}).scores(d));
    assertMessage(() -> Difficulties.scores("given", new double[] {1, 2}).scores(d), "given", "2 scores", "3 rows");
  }

  @Test
  void randomScoresAreUniformAndFixedBySeed() {
    Dataset d = Fixtures.data(2000, Map.of());
    double[] a = Difficulties.random(5).scores(d);
    assertArrayEquals(a, Difficulties.random(5).scores(d));
    assertFalse(Arrays.equals(a, Difficulties.random(6).scores(d)));
    long below = Arrays.stream(a).filter(v -> v < 0.3).count();
    assertTrue(Arrays.stream(a).allMatch(v -> v >= 0 && v < 1));
    Fixtures.within4Sigma("scores below 0.3", below, a.length, 0.3);
  }

  private final Backend be = new ReferenceBackend();
  private final Dataset shapes = Shapeset.generate(ShapesetConfig.basic(40, 10).withImageSize(8), new RandomStreams(3).stream(RandomStreams.DATA)).train();
  private final Model model = Model.builder(64).dense(6, Activation.TANH).dense(3).build();

  /** The teacher's outputs on every example, computed here directly. */
  private double[] outputs(ParameterSet p) {
    Tape tape = Tape.inference(be);
    var x = be.cast(be.fromFloats(shapes.features(), shapes.size(), shapes.featureCount()), DType.FLOAT64);
    return model.forward(tape, p, tape.constant(x, "input")).value().toDoubles();
  }

  @Test
  void teacherLossesAreTheSoftmaxCrossEntropyOfTheTeachersOutputs() {
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", 1))) {
      double[] z = outputs(p);
      double[] s = Difficulties.teacherLosses(be, model, p, Loss.SOFTMAX_CROSS_ENTROPY).scores(shapes);
      int[] y = shapes.labels();
      for (int i = 0; i < shapes.size(); i++) {
        double max = Math.max(z[3 * i], Math.max(z[3 * i + 1], z[3 * i + 2]));
        double lse = max + Math.log(Math.exp(z[3 * i] - max) + Math.exp(z[3 * i + 1] - max) + Math.exp(z[3 * i + 2] - max));
        assertEquals(lse - z[3 * i + y[i]], s[i], 1e-9, "row " + i);
      }
    }
  }

  @Test
  void teacherMarginsAreNegatedMargins() {
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", 2))) {
      double[] z = outputs(p);
      double[] s = Difficulties.teacherMargins(be, model, p).scores(shapes);
      int[] y = shapes.labels();
      for (int i = 0; i < shapes.size(); i++) {
        double other = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 3; k++) if (k != y[i]) other = Math.max(other, z[3 * i + k]);
        assertEquals(-(z[3 * i + y[i]] - other), s[i], 1e-12, "row " + i);
      }
    }
  }

  @Test
  void teacherNeedsMatchingInputs() {
    try (ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", 2))) {
      assertMessage(() -> Difficulties.teacherMargins(be, model, p).scores(Fixtures.data(3, Map.of())), "64 inputs", "1 features");
    }
  }
}
