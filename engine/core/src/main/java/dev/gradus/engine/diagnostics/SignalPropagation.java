package dev.gradus.engine.diagnostics;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.nn.ActivationLayer;
import dev.gradus.engine.nn.Dense;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerContext;
import dev.gradus.engine.nn.Model;
import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.train.Loss;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-layer signal-propagation diagnostics in the manner of Glorot &amp; Bengio (2010): activation
 * statistics, saturation, back-propagated gradients, weight gradients and the mean singular value
 * of each layer's Jacobian, from one forward and one backward pass of the training loss (mean
 * softmax cross-entropy unless told otherwise) on a batch. The layers are run one at a time, in
 * training mode, so that every layer output is kept as a tape value; the parameters are only
 * read, and buffer updates the layers stage are discarded. Dropout draws from a fixed stream, so
 * a measurement is repeatable.
 */
public final class SignalPropagation {
  /** |a| above which a tanh or softsign output counts as saturated (and a sigmoid one below 0.1 or above 0.9). */
  public static final double SATURATION_THRESHOLD = 0.9;

  /** Seed of the stream dropout layers draw from during a measurement. */
  public static final long DROPOUT_SEED = 0x5167_6e61_6cL;

  private SignalPropagation() {}

  /** As {@link #measure(Backend, Model, ParameterSet, double[], int[], int)} with float features. */
  public static List<LayerStatistics> measure(
      Backend backend, Model model, ParameterSet params, float[] features, int[] labels, int jacobianExamples) {
    double[] d = new double[features.length];
    for (int i = 0; i < d.length; i++) d[i] = features[i];
    return measure(backend, model, params, d, labels, jacobianExamples);
  }

  /**
   * Measures every layer of {@code model} with {@code params} on the batch {@code features}
   * (row-major {@code [labels.length, model.inputSize()]}) and class {@code labels}. The mean
   * Jacobian singular value is averaged over the first {@code jacobianExamples} examples (0 skips
   * it: NaN). The loss is the mean softmax cross-entropy of the model's last output.
   */
  public static List<LayerStatistics> measure(
      Backend backend, Model model, ParameterSet params, double[] features, int[] labels, int jacobianExamples) {
    return measure(backend, model, params, features, labels, jacobianExamples, Loss.SOFTMAX_CROSS_ENTROPY);
  }

  /** As {@link #measure(Backend, Model, ParameterSet, double[], int[], int)}, differentiating {@code loss}. */
  public static List<LayerStatistics> measure(
      Backend backend, Model model, ParameterSet params, double[] features, int[] labels, int jacobianExamples, Loss loss) {
    int batch = labels.length;
    int inputs = model.inputSize();
    if (batch == 0) throw new IllegalArgumentException("empty batch");
    if (features.length != (long) batch * inputs) {
      throw new IllegalArgumentException("features has " + features.length + " values, expected " + batch + " x " + inputs);
    }
    if (jacobianExamples < 0) throw new IllegalArgumentException("jacobianExamples must be >= 0, got " + jacobianExamples);
    DType dtype = params.all().iterator().next().value().dtype();
    List<Layer> layers = model.layers();
    int n = layers.size();
    double[][] outputs = new double[n][];
    double[][] outGrads = new double[n][];
    double[][] weightGrads = new double[n][];
    double[][] preActivationGrads = new double[n][];
    try (MemoryScope scope = backend.openScope()) {
      Tape tape = Tape.training(backend).withRandom(new RandomStream("diagnostics-dropout", DROPOUT_SEED));
      Map<String, Var> bound = model.bind(tape, params);
      Var x = tape.constant(backend.fromDoubles(dtype, features, batch, inputs), "input");
      tape.publish(LayerContext.MODEL_INPUT, x);
      Var[] outs = new Var[n];
      for (int i = 0; i < n; i++) {
        String path = Model.layerPath(i);
        tape.enterLayer(path + " (" + layers.get(i).kind() + ")");
        x = layers.get(i).forward(x, new LayerContext(tape, path, name -> bound.get(path + "." + name)));
        outs[i] = x;
      }
      tape.enterLayer("");
      tape.backward(loss.apply(x, backend.fromInts(labels)));
      for (int i = 0; i < n; i++) {
        Var z = tape.published().get(Model.layerPath(i) + "." + Dense.PRE_ACTIVATION);
        preActivationGrads[i] = z == null || z.grad() == null ? null : read(backend, z.grad());
        outputs[i] = read(backend, outs[i].value());
        outGrads[i] = outs[i].grad() == null ? null : read(backend, outs[i].grad());
        Var w = bound.get(Model.layerPath(i) + ".weight");
        weightGrads[i] = w == null || w.grad() == null ? null : read(backend, w.grad());
      }
    }
    List<LayerStatistics> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Layer layer = layers.get(i);
      Activation f = activationOf(layer);
      int width = layer.outputSize();
      double[] a = outputs[i];
      double[] moments = meanStd(a);
      double gradStd = outGrads[i] == null ? 0.0 : meanStd(outGrads[i])[1];
      double wNorm = Double.NaN;
      if (weightGrads[i] != null) {
        double s = 0;
        for (double g : weightGrads[i]) s += g * g;
        wNorm = Math.sqrt(s);
      }
      double jac = Double.NaN;
      int examples = Math.min(jacobianExamples, batch);
      if (examples > 0 && f != null) {
        double[] w = null;
        int in = layer.inputSize();
        if (layer instanceof Dense) {
          Parameter p = params.get(Model.layerPath(i) + ".weight");
          w = read(backend, p.value());
        }
        double sum = 0;
        for (int e = 0; e < examples; e++) {
          sum += meanSingularValue(f, a, e * width, width, w, in);
        }
        jac = sum / examples;
      }
      double preStd = preActivationGrads[i] == null ? Double.NaN : meanStd(preActivationGrads[i])[1];
      result.add(new LayerStatistics(i, layer.kind(), moments[0], moments[1], saturation(f, a, batch, width), gradStd, wNorm, jac,
          preStd));
    }
    return result;
  }

  /** The activation of a dense or activation-only layer; null for other layer kinds. */
  private static Activation activationOf(Layer layer) {
    if (layer instanceof Dense d) return d.activation();
    if (layer instanceof ActivationLayer al) return al.activation();
    return null;
  }

  /**
   * f'(z) from the output a = f(z), for the activations whose derivative is a function of the
   * output: tanh 1 − a², sigmoid a(1 − a), ReLU [a &gt; 0], softsign (1 − |a|)², softplus 1 − e^(−a),
   * identity 1.
   */
  static double derivativeFromOutput(Activation f, double a) {
    return switch (f) {
      case IDENTITY -> 1.0;
      case TANH -> 1.0 - a * a;
      case SIGMOID -> a * (1.0 - a);
      case RELU -> a > 0 ? 1.0 : 0.0;
      case SOFTSIGN -> (1.0 - Math.abs(a)) * (1.0 - Math.abs(a));
      case SOFTPLUS -> 1.0 - Math.exp(-a);
    };
  }

  /**
   * Mean singular value of diag(f'(z))·W ({@code w} row-major {@code [width, in]}), or of
   * diag(f'(z)) when {@code w} is null, for the example whose outputs start at {@code offset}.
   */
  private static double meanSingularValue(Activation f, double[] a, int offset, int width, double[] w, int in) {
    double[] d = new double[width];
    for (int u = 0; u < width; u++) d[u] = derivativeFromOutput(f, a[offset + u]);
    double[] sv;
    if (w == null) {
      sv = new double[width];
      for (int u = 0; u < width; u++) sv[u] = Math.abs(d[u]);
    } else {
      double[][] j = new double[width][in];
      for (int u = 0; u < width; u++) for (int c = 0; c < in; c++) j[u][c] = d[u] * w[u * in + c];
      sv = SymmetricEigen.singularValues(j);
    }
    double s = 0;
    for (double v : sv) s += v;
    return s / sv.length;
  }

  private static double saturation(Activation f, double[] a, int batch, int width) {
    if (f == null) return Double.NaN;
    switch (f) {
      case TANH, SOFTSIGN -> {
        long c = 0;
        for (double v : a) if (Math.abs(v) > SATURATION_THRESHOLD) c++;
        return (double) c / a.length;
      }
      case SIGMOID -> {
        long c = 0;
        for (double v : a) if (v < 1 - SATURATION_THRESHOLD || v > SATURATION_THRESHOLD) c++;
        return (double) c / a.length;
      }
      case RELU -> {
        int dead = 0;
        for (int u = 0; u < width; u++) {
          boolean alive = false;
          for (int e = 0; e < batch && !alive; e++) alive = a[e * width + u] != 0.0;
          if (!alive) dead++;
        }
        return (double) dead / width;
      }
      default -> {
        return Double.NaN;
      }
    }
  }

  /** {mean, population std} of {@code v}. */
  static double[] meanStd(double[] v) {
    double m = 0;
    for (double x : v) m += x;
    m /= v.length;
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return new double[] {m, Math.sqrt(s / v.length)};
  }

  private static double[] read(Backend backend, Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      float[] f = backend.toFloats(t);
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) d[i] = f[i];
      return d;
    }
    return backend.toDoubles(t);
  }
}
