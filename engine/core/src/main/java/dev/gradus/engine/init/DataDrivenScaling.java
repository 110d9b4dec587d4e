package dev.gradus.engine.init;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Data-driven scaling (the rule of thumb of Goodfellow et al., Deep Learning §8.4, automated):
 * on one minibatch, walk the layers in order and rescale each dense layer's weights until the
 * standard deviation of its pre-activations (or activations) is within a relative tolerance of a
 * target.
 *
 * <p>For dense layer {@code i} with input {@code x} (the output of the already-scaled layers
 * before it) the procedure measures {@code σ = std(x·Wᵀ + b)} (pre-activation) or
 * {@code σ = std(f(x·Wᵀ + b))} (activation; {@code f} is the layer's fused activation followed by
 * any parameter-free layers, e.g. {@link dev.gradus.engine.nn.ActivationLayer}, directly after it),
 * and while {@code |σ/target − 1| > tolerance} multiplies {@code W} in place by
 * {@code target/σ}, at most {@code maxIterations} times. The standard deviation is the population
 * standard deviation over all {@code batch × units} values.
 *
 * <p>Only weights are rescaled, never biases: the bias sets the offset of a unit, the scale of the
 * weights its spread. Because of the bias (whose contribution does not scale) and of saturating
 * activations (whose output std is not proportional to the weight scale), one rescale is exact
 * only for a linear, bias-free layer and pre-activation measure — hence the iteration.
 *
 * <p>Layers without a {@code weight} parameter (activations) are simply run forward; the result
 * has one record per dense layer, in order. The parameter tensors are updated in place; nothing
 * random is drawn, so the result is a deterministic function of the model, parameters and batch.
 */
public final class DataDrivenScaling {

  /** What is measured at each dense layer. */
  public enum Measure {
    PRE_ACTIVATION,
    ACTIVATION;

    /** "pre-activation" / "activation", as used in specs and records. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Measure parse(String id) {
      for (Measure m : values()) if (m.id().equals(id.toLowerCase(Locale.ROOT).replace('_', '-'))) return m;
      throw new IllegalArgumentException("unknown data-driven measure '" + id + "'; known: pre-activation, activation");
    }
  }

  /**
   * @param targetStd wanted standard deviation, finite and > 0
   * @param tolerance relative tolerance {@code |σ/target − 1| ≤ tolerance}, in (0, 1)
   * @param maxIterations the most rescales per layer, ≥ 1
   * @param measure pre-activations or activations
   */
  public record Config(double targetStd, double tolerance, int maxIterations, Measure measure) {
    public Config {
      if (!(targetStd > 0) || !Double.isFinite(targetStd)) {
        throw new IllegalArgumentException("data-driven targetStd must be > 0 and finite, got " + targetStd);
      }
      if (!(tolerance > 0 && tolerance < 1)) {
        throw new IllegalArgumentException("data-driven tolerance must be in (0, 1) (relative), got " + tolerance);
      }
      if (maxIterations < 1) {
        throw new IllegalArgumentException("data-driven maxIterations must be >= 1, got " + maxIterations);
      }
      if (measure == null) throw new IllegalArgumentException("data-driven measure must not be null");
    }

    /** Target 1.0, tolerance 0.05, 10 iterations, pre-activations. */
    public static Config defaults() {
      return new Config(1.0, 0.05, 10, Measure.PRE_ACTIVATION);
    }
  }

  /**
   * One dense layer's outcome.
   *
   * @param layerIndex index in {@link Model#layers()} (parameter path {@code layers.<i>.weight})
   * @param scale product of the factors applied to the weights
   * @param stdBefore measured std before any rescale
   * @param stdAfter measured std with the final weights
   * @param iterations rescales performed (0 if it was already within tolerance)
   * @param converged whether {@code stdAfter} is within tolerance of the target
   */
  public record LayerScale(int layerIndex, double scale, double stdBefore, double stdAfter, int iterations, boolean converged) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "layers.%d: scale=%.6g std %.6g -> %.6g in %d iteration(s)%s",
          layerIndex, scale, stdBefore, stdAfter, iterations, converged ? "" : " (NOT converged)");
    }
  }

  public record Result(Config config, List<LayerScale> layers) {
    public Result {
      layers = List.copyOf(layers);
    }

    public boolean allConverged() {
      return layers.stream().allMatch(LayerScale::converged);
    }
  }

  /**
   * One layer's back-propagated gradient after scaling.
   *
   * @param layerIndex index in {@link Model#layers()}
   * @param gradientStd std of dL/dz at the layer's pre-activation (or of dL/d(output) for a layer
   *     without a fused activation)
   * @param ratio {@code gradientStd} over that of the top measured layer
   * @param withinTolerance whether {@code 1/(1+tolerance) ≤ ratio ≤ 1 + tolerance}
   */
  public record LayerGradient(int layerIndex, double gradientStd, double ratio, boolean withinTolerance) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "layers.%d: gradient std %.6g, %.4g× the top layer's%s",
          layerIndex, gradientStd, ratio, withinTolerance ? "" : " (OUTSIDE tolerance)");
    }
  }

  /**
   * The gradient half of the rule of thumb, as a check: after the forward pass is scaled, are the
   * back-propagated gradients of the same order in every layer? Measures, on the batch and with
   * {@code loss}, the std of each dense layer's pre-activation gradient and compares it with the
   * top dense layer's; a layer whose ratio leaves {@code [1/(1+tolerance), 1+tolerance]} is
   * flagged. Nothing is changed: rescaling the weights again for the backward pass would undo the
   * forward scaling, so the check reports the trade-off rather than hiding it.
   */
  public static List<LayerGradient> checkGradients(Backend backend, Model model, ParameterSet params, float[] batchFeatures,
      int[] labels, dev.gradus.engine.train.Loss loss, double tolerance) {
    if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
      throw new IllegalArgumentException("gradient tolerance must be > 0 and finite, got " + tolerance);
    }
    List<dev.gradus.engine.diagnostics.LayerStatistics> stats =
        dev.gradus.engine.diagnostics.SignalPropagation.measure(backend, model, params, toDoubles(batchFeatures), labels, 0, loss);
    List<double[]> measured = new ArrayList<>();
    for (dev.gradus.engine.diagnostics.LayerStatistics st : stats) {
      if (!(model.layers().get(st.index()) instanceof Dense)) continue;
      double g = Double.isNaN(st.preActivationGradientStd()) ? st.backpropGradientStd() : st.preActivationGradientStd();
      measured.add(new double[] {st.index(), g});
    }
    List<LayerGradient> out = new ArrayList<>();
    if (measured.isEmpty()) return out;
    double top = measured.get(measured.size() - 1)[1];
    for (double[] m : measured) {
      double ratio = m[1] / top;
      boolean within = Double.isFinite(ratio) && ratio <= 1 + tolerance && ratio >= 1 / (1 + tolerance);
      out.add(new LayerGradient((int) m[0], m[1], ratio, within));
    }
    return out;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  private final Config config;

  public DataDrivenScaling(Config config) {
    if (config == null) throw new IllegalArgumentException("data-driven config must not be null");
    this.config = config;
  }

  public Config config() {
    return config;
  }

  /**
   * Rescales the weights in {@code params} in place on the batch {@code batchFeatures}
   * ({@code batchSize × model.inputSize()} values, row-major).
   */
  public Result apply(Backend backend, Model model, ParameterSet params, float[] batchFeatures, int batchSize) {
    if (batchSize < 2) throw new IllegalArgumentException("data-driven scaling needs a batch of at least 2 examples, got " + batchSize);
    if (batchFeatures == null || batchFeatures.length != (long) batchSize * model.inputSize()) {
      throw new IllegalArgumentException("data-driven batch has " + (batchFeatures == null ? 0 : batchFeatures.length)
          + " values, expected batchSize × inputSize = " + batchSize + " × " + model.inputSize());
    }
    List<Layer> layers = model.layers();
    List<LayerScale> out = new ArrayList<>();
    try (MemoryScope outer = backend.openScope()) {
      Tensor x = backend.fromFloats(batchFeatures, batchSize, model.inputSize());
      Parameter first = firstWeight(model, params);
      if (first != null && first.value().dtype() != x.dtype()) x = backend.cast(x, first.value().dtype());
      int i = 0;
      while (i < layers.size()) {
        Layer layer = layers.get(i);
        String prefix = Model.layerPath(i) + ".";
        if (!(layer instanceof Dense) || !params.contains(prefix + "weight")) {
          try (MemoryScope s = backend.openScope()) {
            Tape tape = Tape.inference(backend);
            Var y = layer.forward(tape.constant(x, "input"), name -> tape.constant(params.get(prefix + name).value(), prefix + name));
            x = s.keep(y.value());
          }
          i++;
          continue;
        }
        Dense dense = (Dense) layer;
        int end = i + 1; // parameter-free layers after the dense layer belong to its activation
        while (end < layers.size() && layers.get(end).parameters().isEmpty()) end++;
        Tensor w = params.get(prefix + "weight").value();
        Tensor b = dense.bias() && params.contains(prefix + "bias") ? params.get(prefix + "bias").value() : null;

        double before = measure(backend, layers, i, end, dense, x, w, b, null);
        double current = before;
        double scale = 1.0;
        int iterations = 0;
        while (!within(current) && iterations < config.maxIterations() && current > 0 && Double.isFinite(current)) {
          double s = config.targetStd() / current;
          backend.scaleInPlace(w, s);
          scale *= s;
          iterations++;
          current = measure(backend, layers, i, end, dense, x, w, b, null);
        }
        out.add(new LayerScale(i, scale, before, current, iterations, within(current)));
        Tensor[] next = new Tensor[1];
        try (MemoryScope s = backend.openScope()) {
          measure(backend, layers, i, end, dense, x, w, b, next);
          x = s.keep(next[0]);
        }
        // the parameter-free layers in (i, end) were applied; step past them
        i = end;
      }
    }
    return new Result(config, out);
  }

  private boolean within(double std) {
    return Double.isFinite(std) && Math.abs(std / config.targetStd() - 1.0) <= config.tolerance();
  }

  private static Parameter firstWeight(Model model, ParameterSet params) {
    for (int i = 0; i < model.depth(); i++) {
      String p = Model.layerPath(i) + ".weight";
      if (params.contains(p)) return params.get(p);
    }
    return null;
  }

  /**
   * Runs dense layer {@code i} (and, for the activation measure or when {@code output} is given,
   * the parameter-free layers up to {@code end}) and returns the measured std. When
   * {@code output} is non-null its first element receives the block's output, in the caller's
   * scope; otherwise all work happens in a scope of its own.
   */
  private double measure(Backend be, List<Layer> layers, int i, int end, Dense dense, Tensor x, Tensor w, Tensor b, Tensor[] output) {
    MemoryScope scope = output == null ? be.openScope() : null;
    try {
      Tape tape = Tape.inference(be);
      Var z = Ops.affine(tape.constant(x, "input"), tape.constant(w, "weight"), b == null ? null : tape.constant(b, "bias"));
      if (config.measure() == Measure.PRE_ACTIVATION && output == null) return std(be.toDoubles(z.value()));
      Var a = dense.activation().apply(z);
      for (int j = i + 1; j < end; j++) {
        int jj = j;
        a = layers.get(j).forward(a, name -> {
          throw new IllegalStateException("layers." + jj + " has no parameters but asked for " + name);
        });
      }
      if (output != null) {
        output[0] = a.value();
        return Double.NaN;
      }
      return std(be.toDoubles(a.value()));
    } finally {
      if (scope != null) scope.close();
    }
  }

  /** Population standard deviation (two-pass). */
  static double std(double[] v) {
    double mean = 0;
    for (double d : v) mean += d;
    mean /= v.length;
    double ss = 0;
    for (double d : v) ss += (d - mean) * (d - mean);
    return Math.sqrt(ss / v.length);
  }
}
