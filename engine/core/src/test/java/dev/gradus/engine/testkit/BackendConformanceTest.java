package dev.gradus.engine.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The semantics every backend must have: primitive values against closed forms, and every
 * autodiff operation's gradient against central finite differences in float64. A backend's
 * test module subclasses this and supplies the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceTest {
  protected Backend be;
  private static final double H = 1e-6;
  private static final double TOLERANCE = 1e-6;

  protected abstract Backend createBackend();

  @BeforeAll
  void open() {
    be = createBackend();
  }

  @AfterAll
  void close() {
    be.close();
  }

  static double[] random(long seed, int n, double lo, double hi) {
    RandomStream r = new RandomStream("test", seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.uniform(lo, hi);
    return v;
  }

  /** Values bounded away from 0, for functions with a kink there (relu, abs). */
  static double[] awayFromZero(long seed, int n) {
    double[] v = random(seed, n, 0.1, 2.0);
    for (int i = 0; i < n; i += 2) v[i] = -v[i];
    return v;
  }

  /** A scalar of {@code y}: Σ y ⊙ R with fixed random weights R, so every output coordinate matters. */
  static Var weightedSum(Var y) {
    Backend be = y.tape().backend();
    long[] shape = y.shape();
    double[] r = random(99, (int) y.value().size(), -1.0, 1.0);
    return Ops.sum(Ops.mul(y, y.tape().constant(be.fromDoubles(r, shape), "weights")));
  }

  private void assertGradient(Function<List<Var>, Var> f, GradientCheck.Input... inputs) {
    GradientCheck.Result r = GradientCheck.check(be, f, H, inputs);
    assertTrue(r.maxError() < TOLERANCE, "max relative error " + r.maxError() + " at " + r.where());
  }

  static GradientCheck.Input in(double[] v, long... shape) {
    return new GradientCheck.Input(v, shape);
  }

  Stream<Arguments> unaryOps() {
    return Stream.of(
        Arguments.of("relu", (Function<Var, Var>) Ops::relu, awayFromZero(1, 12)),
        Arguments.of("tanh", (Function<Var, Var>) Ops::tanh, random(2, 12, -2, 2)),
        Arguments.of("sigmoid", (Function<Var, Var>) Ops::sigmoid, random(3, 12, -4, 4)),
        Arguments.of("softsign", (Function<Var, Var>) Ops::softsign, awayFromZero(4, 12)),
        Arguments.of("softplus", (Function<Var, Var>) Ops::softplus, random(5, 12, -5, 5)),
        Arguments.of("identity", (Function<Var, Var>) Activation.IDENTITY::apply, random(6, 12, -1, 1)),
        Arguments.of("exp", (Function<Var, Var>) Ops::exp, random(7, 12, -2, 2)),
        Arguments.of("log", (Function<Var, Var>) Ops::log, random(8, 12, 0.2, 3)),
        Arguments.of("square", (Function<Var, Var>) Ops::square, random(9, 12, -2, 2)),
        Arguments.of("scale", (Function<Var, Var>) v -> Ops.scale(v, -2.5), random(10, 12, -2, 2)),
        Arguments.of("add-scalar", (Function<Var, Var>) v -> Ops.addScalar(v, 0.75), random(11, 12, -2, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryOps")
  void unaryGradients(String name, Function<Var, Var> op, double[] x) {
    assertGradient(v -> weightedSum(op.apply(v.get(0))), in(x, 3, 4));
  }

  Stream<Arguments> broadcastShapes() {
    return Stream.of(
        Arguments.of(new long[] {3, 4}, new long[] {3, 4}),
        Arguments.of(new long[] {3, 4}, new long[] {4}),
        Arguments.of(new long[] {3, 4}, new long[] {1, 4}),
        Arguments.of(new long[] {3, 4}, new long[] {3, 1}),
        Arguments.of(new long[] {3, 4}, new long[] {}));
  }

  @ParameterizedTest
  @MethodSource("broadcastShapes")
  void binaryGradients(long[] sa, long[] sb) {
    double[] a = random(20, count(sa), -2, 2);
    double[] b = random(21, count(sb), 0.5, 2); // positive: a divisor
    assertGradient(v -> weightedSum(Ops.add(v.get(0), v.get(1))), in(a.clone(), sa), in(b.clone(), sb));
    assertGradient(v -> weightedSum(Ops.sub(v.get(0), v.get(1))), in(a.clone(), sa), in(b.clone(), sb));
    assertGradient(v -> weightedSum(Ops.mul(v.get(0), v.get(1))), in(a.clone(), sa), in(b.clone(), sb));
    assertGradient(v -> weightedSum(Ops.div(v.get(0), v.get(1))), in(a.clone(), sa), in(b.clone(), sb));
  }

  static int count(long[] shape) {
    int n = 1;
    for (long d : shape) n *= (int) d;
    return n;
  }

  @Test
  void matmulGradientsForEveryTransposition() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        long[] sa = ta ? new long[] {4, 3} : new long[] {3, 4};
        long[] sb = tb ? new long[] {5, 4} : new long[] {4, 5};
        assertGradient(v -> weightedSum(Ops.matmul(v.get(0), v.get(1), ta, tb)),
            in(random(30, 12, -1, 1), sa), in(random(31, 20, -1, 1), sb));
      }
    }
  }

  @Test
  void affineGradients() {
    assertGradient(v -> weightedSum(Ops.affine(v.get(0), v.get(1), v.get(2))),
        in(random(40, 12, -1, 1), 3, 4), in(random(41, 20, -1, 1), 5, 4), in(random(42, 5, -1, 1), 5));
    assertGradient(v -> weightedSum(Ops.affine(v.get(0), v.get(1), null)),
        in(random(43, 12, -1, 1), 3, 4), in(random(44, 20, -1, 1), 5, 4));
  }

  @Test
  void reductionGradients() {
    assertGradient(v -> Ops.sum(Ops.square(v.get(0))), in(random(50, 12, -1, 1), 3, 4));
    assertGradient(v -> Ops.mean(Ops.square(v.get(0))), in(random(51, 12, -1, 1), 3, 4));
  }

  @Test
  void softmaxCrossEntropyGradient() {
    Tensor labels = be.detach(be.fromInts(new int[] {2, 0, 4}));
    assertGradient(v -> Ops.softmaxCrossEntropy(v.get(0), labels), in(random(60, 15, -3, 3), 3, 5));
    labels.close();
  }

  @Test
  void meanSquaredErrorGradient() {
    Tensor target = be.detach(be.fromDoubles(random(70, 6, -1, 1), 2, 3));
    assertGradient(v -> Ops.meanSquaredError(v.get(0), target), in(random(71, 6, -1, 1), 2, 3));
    target.close();
  }

  @Test
  void twoLayerNetworkGradient() {
    Tensor labels = be.detach(be.fromInts(new int[] {1, 0, 2, 1}));
    assertGradient(v -> {
      Var h = Ops.tanh(Ops.affine(v.get(0), v.get(1), v.get(2)));
      return Ops.softmaxCrossEntropy(Ops.affine(h, v.get(3), v.get(4)), labels);
    }, in(random(80, 12, -1, 1), 4, 3), in(random(81, 15, -1, 1), 5, 3), in(random(82, 5, -0.1, 0.1), 5),
        in(random(83, 15, -1, 1), 3, 5), in(random(84, 3, -0.1, 0.1), 3));
    labels.close();
  }

  @Test
  void valueUsedTwiceAccumulatesBothGradients() {
    assertGradient(v -> Ops.sum(Ops.mul(v.get(0), Ops.tanh(v.get(0)))), in(random(90, 6, -1, 1), 2, 3));
  }

  // ---- primitive values against closed forms -------------------------------------------------

  @Test
  void matmulValues() {
    try (MemoryScope s = be.openScope()) {
      Tensor a = be.fromDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Tensor b = be.fromDoubles(new double[] {7, 8, 9, 10, 11, 12}, 3, 2);
      assertArrayEquals(new double[] {58, 64, 139, 154}, be.matmul(a, b, false, false).toDoubles(), 1e-12);
      // aᵀ·aᵀᵀ = aᵀa
      assertArrayEquals(new double[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, be.matmul(a, a, true, false).toDoubles(), 1e-12);
      assertArrayEquals(new double[] {14, 32, 32, 77}, be.matmul(a, a, false, true).toDoubles(), 1e-12);
      assertArrayEquals(new long[] {2, 2}, be.matmul(b, a, true, true).shape());
    }
  }

  @Test
  void softmaxCrossEntropyMatchesClosedForm() {
    try (MemoryScope s = be.openScope()) {
      double[] z = {1, 2, 3, -1, 0, 1000};
      Tensor logits = be.fromDoubles(z, 2, 3);
      Tensor labels = be.fromInts(new int[] {2, 0});
      double l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
      double l1 = 1000 + Math.log(1 + Math.exp(-1000)) - (-1); // stable: logsumexp = 1000 + log(1 + e^-1000 + e^-1001)
      double expected = (l0 + l1) / 2;
      assertEquals(expected, be.softmaxCrossEntropy(logits, labels).loss().item(), 1e-9);
    }
  }

  @Test
  void float32ResultsStayFloat32() {
    try (MemoryScope s = be.openScope()) {
      Tensor a = be.fromFloats(new float[] {1.5f, -2f}, 2);
      Tensor y = be.scale(be.relu(a), 3.0);
      assertEquals(DType.FLOAT32, y.dtype());
      assertArrayEquals(new float[] {4.5f, 0f}, y.toFloats());
    }
  }

  @Test
  void rowsAndClasses() {
    try (MemoryScope s = be.openScope()) {
      Tensor m = be.fromDoubles(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 3);
      Tensor idx = be.fromInts(new int[] {2, 0, 2});
      assertArrayEquals(new double[] {6, 7, 8, 0, 1, 2, 6, 7, 8}, be.takeRows(m, idx).toDoubles());
      Tensor labels = be.fromInts(new int[] {5, 6, 7});
      assertArrayEquals(new long[] {7, 5, 7}, be.takeRows(labels, idx).toLongs());
      assertArrayEquals(new double[] {1, 3, 8}, be.pickColumns(m, be.fromInts(new int[] {1, 0, 2})).toDoubles());
      assertArrayEquals(new long[] {2, 2, 2}, be.argmaxRows(m).toLongs());
      assertEquals(2, be.countEqual(be.fromInts(new int[] {1, 2, 3}), be.fromInts(new int[] {1, 0, 3})));
      assertArrayEquals(new double[] {0, 1, 1, 0}, be.oneHot(be.fromInts(new int[] {1, 0}), 2, DType.FLOAT64).toDoubles());
      assertArrayEquals(new double[] {3, 12, 21}, be.sum(m, 1, false).toDoubles());
      assertArrayEquals(new double[] {9, 12, 15}, be.sum(m, 0, true).toDoubles());
      assertArrayEquals(new long[] {1, 3}, be.sum(m, 0, true).shape());
    }
  }

  @Test
  void maximumClampAndSumOfSquares() {
    try (MemoryScope s = be.openScope()) {
      Tensor a = be.fromDoubles(new double[] {1, -2, 3, -4}, 2, 2);
      Tensor b = be.fromDoubles(new double[] {0, 5}, 2);
      assertArrayEquals(new double[] {1, 5, 3, 5}, be.maximum(a, b).toDoubles());
      assertArrayEquals(new double[] {1, -2, 2.5, -2}, be.clamp(a, -2, 2.5).toDoubles());
      assertEquals(30.0, be.sumOfSquares(a).item(), 1e-12);
      assertEquals(DType.FLOAT32, be.clamp(be.fromFloats(new float[] {1f}, 1), 0, 0.5).dtype());
      assertThrows(IllegalArgumentException.class, () -> be.clamp(a, 1, 0));
    }
  }

  @Test
  void inPlaceUpdates() {
    Tensor p = be.detach(be.fromDoubles(new double[] {1, 2, 3}, 3));
    try (MemoryScope s = be.openScope()) {
      be.addInPlace(p, be.fromDoubles(new double[] {1, 1, 1}, 3), -0.5);
      be.scaleInPlace(p, 2.0);
    }
    assertArrayEquals(new double[] {1, 3, 5}, p.toDoubles(), 1e-12);
    try (MemoryScope s = be.openScope()) {
      be.copyInto(p, be.fromDoubles(new double[] {7, 8, 9}, 3));
    }
    assertArrayEquals(new double[] {7, 8, 9}, p.toDoubles(), 1e-12);
    p.close();
  }

  @Test
  void finiteCheckFindsNanAndInfButNotLargeFiniteValues() {
    try (MemoryScope s = be.openScope()) {
      assertTrue(be.allFinite(be.fromFloats(new float[] {3e38f, 3e38f, 3e38f}, 3)), "a sum overflow is not a non-finite element");
      assertFalse(be.allFinite(be.fromFloats(new float[] {1f, Float.NaN}, 2)));
      assertFalse(be.allFinite(be.fromDoubles(new double[] {Double.NEGATIVE_INFINITY, 1}, 2)));
    }
  }

  @Test
  void scopeKeepsOnlyWhatIsKept() {
    Tensor kept;
    try (MemoryScope outer = be.openScope()) {
      try (MemoryScope inner = be.openScope()) {
        kept = inner.keep(be.fromDoubles(new double[] {4, 2}, 2));
        be.fromDoubles(new double[] {1}, 1);
      }
      assertArrayEquals(new double[] {4, 2}, kept.toDoubles());
    }
  }

  @Test
  void scalarItemAndShapes() {
    try (MemoryScope s = be.openScope()) {
      Tensor t = be.fromDoubles(new double[] {1, 2, 3, 4}, 2, 2);
      assertEquals(10.0, be.sum(t).item(), 1e-12);
      assertEquals(2.5, be.mean(t).item(), 1e-12);
      assertEquals(0, be.sum(t).rank());
      assertThrows(IllegalArgumentException.class, () -> be.item(t));
      assertArrayEquals(new long[] {4}, be.reshape(t, 4).shape());
    }
  }

  @Test
  void inferenceTapeRecordsNothing() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var x = tape.constant(be.fromDoubles(new double[] {1, -1}, 2), "x");
      Ops.relu(x);
      assertTrue(tape.nodes().isEmpty());
    }
  }

  // ---- layer building blocks: batch statistics, column slicing and concatenation -----------

  @Test
  void layerOpGradients() {
    assertGradient(v -> weightedSum(Ops.meanRows(v.get(0))), in(random(100, 12, -2, 2), 4, 3));
    assertGradient(v -> weightedSum(Ops.sqrt(v.get(0))), in(random(101, 12, 0.2, 3), 3, 4));
    for (int[] sc : new int[][] {{0, 2}, {2, 3}, {5, 1}, {0, 6}}) {
      assertGradient(v -> weightedSum(Ops.columns(v.get(0), sc[0], sc[1])), in(random(102, 18, -1, 1), 3, 6));
    }
    assertGradient(v -> weightedSum(Ops.concatColumns(v.get(0), v.get(1))), in(random(103, 6, -1, 1), 3, 2), in(random(104, 12, -1, 1), 3, 4));
    // batch normalization's training forward: gradients through the batch mean and variance
    assertGradient(v -> {
      Var centered = Ops.sub(v.get(0), Ops.meanRows(v.get(0)));
      return weightedSum(Ops.div(centered, Ops.sqrt(Ops.addScalar(Ops.meanRows(Ops.square(centered)), 1e-5))));
    }, in(random(105, 15, -1, 1), 5, 3));
  }

  @Test
  void columnsConcatAndMeanRowsValues() {
    try (MemoryScope s = be.openScope()) {
      Tape tape = Tape.inference(be);
      Var m = tape.constant(be.fromDoubles(new double[] {0.1, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 3), "m");
      Var c = Ops.columns(m, 1, 2);
      assertArrayEquals(new long[] {3, 2}, c.shape());
      assertArrayEquals(new double[] {1, 2, 4, 5, 7, 8}, c.value().toDoubles(), 0.0);
      assertArrayEquals(new double[] {0.1, 3, 6}, Ops.columns(m, 0, 1).value().toDoubles(), 0.0);
      Var a = tape.constant(be.fromDoubles(new double[] {1, 2}, 2, 1), "a");
      Var b = tape.constant(be.fromDoubles(new double[] {3, 4, 5, 6}, 2, 2), "b");
      Var ab = Ops.concatColumns(a, b);
      assertArrayEquals(new long[] {2, 3}, ab.shape());
      assertArrayEquals(new double[] {1, 3, 4, 2, 5, 6}, ab.value().toDoubles(), 0.0);
      assertArrayEquals(new double[] {(0.1 + 3 + 6) / 3, 4, 5}, Ops.meanRows(m).value().toDoubles(), 1e-12);
      assertArrayEquals(new double[] {2, 3}, Ops.sqrt(tape.constant(be.fromDoubles(new double[] {4, 9}, 2), "q")).value().toDoubles(), 1e-12);
      Tape t32 = Tape.inference(be);
      Var f = t32.constant(be.fromFloats(new float[] {1, 2, 3, 4}, 2, 2), "f");
      assertEquals(DType.FLOAT32, Ops.columns(f, 1, 1).value().dtype());
      assertEquals(DType.FLOAT32, Ops.concatColumns(f, f).value().dtype());
      assertThrows(IllegalArgumentException.class, () -> Ops.columns(m, 2, 2));
      assertThrows(IllegalArgumentException.class, () -> Ops.concatColumns(m, a));
    }
  }

  @Test
  void slicingAndConcatenatingCopyExactlyEvenBesideInfinities() {
    try (MemoryScope s = be.openScope()) {
      double inf = Double.POSITIVE_INFINITY;
      Tensor m = be.fromDoubles(new double[] {inf, 1, 2, -inf, 4, Double.NaN}, 2, 3);
      assertArrayEquals(new double[] {1, 4}, be.sliceColumns(m, 1, 1).toDoubles(), 0.0);
      double[] cat = be.concatColumns(be.sliceColumns(m, 1, 1), m).toDoubles();
      assertArrayEquals(new double[] {1, inf, 1, 2}, java.util.Arrays.copyOfRange(cat, 0, 4), 0.0);
      assertEquals(-inf, cat[5], 0.0);
      assertTrue(Double.isNaN(cat[7]));
    }
  }

  /**
   * Every layer's gradient with respect to its input and parameters against central differences,
   * on this backend (float64): batch normalization in both modes, dropout with a fixed mask,
   * residual blocks with a projection, highway, the Elman RNN, and dense layers with every
   * activation.
   */
  @Test
  void everyLayerMatchesFiniteDifferences() {
    java.util.List<java.util.Map.Entry<String, dev.gradus.engine.nn.Layer>> layers = new java.util.ArrayList<>();
    for (dev.gradus.engine.nn.Activation a : dev.gradus.engine.nn.Activation.values()) {
      layers.add(java.util.Map.entry("dense+" + a.id(), new dev.gradus.engine.nn.Dense(4, 3, true, new dev.gradus.engine.init.GlorotUniform(),
          dev.gradus.engine.init.Constant.ZEROS, a)));
    }
    layers.add(java.util.Map.entry("batch-norm (training)", new dev.gradus.engine.nn.BatchNorm(4)));
    layers.add(java.util.Map.entry("dropout", new dev.gradus.engine.nn.Dropout(5, 0.4)));
    layers.add(java.util.Map.entry("residual", new dev.gradus.engine.nn.Residual(
        java.util.List.of(new dev.gradus.engine.nn.Dense(3, 4, true, new dev.gradus.engine.init.GlorotUniform(), dev.gradus.engine.init.Constant.ZEROS,
            dev.gradus.engine.nn.Activation.TANH), new dev.gradus.engine.nn.BatchNorm(4)),
        new dev.gradus.engine.nn.Dense(3, 4, true, new dev.gradus.engine.init.GlorotUniform(), dev.gradus.engine.init.Constant.ZEROS),
        dev.gradus.engine.nn.Activation.RELU)));
    layers.add(java.util.Map.entry("highway", new dev.gradus.engine.nn.HighwayDense(4, dev.gradus.engine.nn.Activation.TANH)));
    layers.add(java.util.Map.entry("elman", new dev.gradus.engine.nn.ElmanRnn(12, 3, 4)));
    long seed = 10;
    for (var e : layers) {
      GradientCheck.Result r = LayerGradientCheck.checkLayer(be, LayerGradientCheck.training(be, 1), e.getValue(), 4, seed += 10);
      assertTrue(r.maxError() < 1e-6, be.name() + " " + e.getKey() + ": " + r);
    }
    GradientCheck.Result eval = LayerGradientCheck.checkLayer(be, LayerGradientCheck.evaluation(be), new dev.gradus.engine.nn.BatchNorm(4), 6, 20);
    assertTrue(eval.maxError() < 1e-6, be.name() + " batch-norm (evaluation): " + eval);
  }
}
