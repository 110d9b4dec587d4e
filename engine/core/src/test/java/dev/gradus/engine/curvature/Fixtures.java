package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.train.Loss;
import java.util.Map;
import java.util.function.Function;

/** Small models, batches and explicit matrices for the curvature tests (float64, reference backend). */
final class Fixtures {
  private Fixtures() {}

  static final int IN = 3;
  static final int HIDDEN = 4;
  static final int OUT = 3;
  static final int ROWS = 6;

  /** {@code IN → dense(HIDDEN, activation) → dense(OUT)}. */
  static Model mlp(Activation activation) {
    return Model.builder(IN).dense(HIDDEN, activation).dense(OUT).build();
  }

  /** {@code IN → dense(OUT)}: linear in its parameters. */
  static Model linear() {
    return Model.builder(IN).dense(OUT).build();
  }

  /** Parameters with biases drawn too (the default initializer leaves them at zero). */
  static ParameterSet params(Backend be, Model model, long seed) {
    ParameterSet p = model.initialize(be, DType.FLOAT64, new RandomStream("init", seed));
    RandomStream rng = new RandomStream("bias", seed);
    for (var e : p.all()) {
      if (!e.path().endsWith("bias")) continue;
      double[] b = new double[(int) e.value().size()];
      for (int i = 0; i < b.length; i++) b[i] = 0.3 * rng.nextGaussian();
      be.copyInto(e.value(), be.fromDoubles(b, e.value().shape()));
    }
    return p;
  }

  static BatchObjective objective(Backend be, Model model, Loss loss, long seed) {
    RandomStream rng = new RandomStream("data", seed);
    double[] x = new double[ROWS * model.inputSize()];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
    int[] y = new int[ROWS];
    for (int i = 0; i < ROWS; i++) y[i] = (i * 7 + (int) seed) % model.outputSize();
    return BatchObjective.of(be, model, loss, DType.FLOAT64, x, y);
  }

  /** The matrix of a linear operator on parameter vectors, column by column from unit vectors. */
  static double[][] matrix(ParameterSet params, Function<Map<String, Tensor>, Map<String, Tensor>> op) {
    Map<String, Tensor> like = ParameterVectors.zeros(params);
    int n = ParameterVectors.size(like);
    double[][] m = new double[n][n];
    for (int j = 0; j < n; j++) {
      double[] e = new double[n];
      e[j] = 1;
      double[] col = ParameterVectors.flatten(op.apply(ParameterVectors.unflatten(e, like)));
      for (int i = 0; i < n; i++) m[i][j] = col[i];
    }
    return m;
  }

  /** (M + Mᵀ)/2. */
  static double[][] symmetrized(double[][] m) {
    int n = m.length;
    double[][] s = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s[i][j] = 0.5 * (m[i][j] + m[j][i]);
    return s;
  }

  /** max |a − b| / max(1, |b|) elementwise. */
  static double maxError(double[] a, double[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      double e = Math.abs(a[i] - b[i]) / Math.max(1.0, Math.abs(b[i]));
      if (!(e <= worst)) worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
    }
    return worst;
  }

  /** ‖a − b‖ / max(‖b‖, tiny). */
  static double relativeError(double[] a, double[] b) {
    double d = 0, n = 0;
    for (int i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) * (a[i] - b[i]);
      n += b[i] * b[i];
    }
    return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-300);
  }

  static double[] times(double[][] m, double[] v) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) for (int j = 0; j < v.length; j++) out[i] += m[i][j] * v[j];
    return out;
  }
}
