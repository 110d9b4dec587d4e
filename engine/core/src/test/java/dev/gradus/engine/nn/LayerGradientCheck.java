package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.testkit.GradientCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finite-difference checks of whole layers. Unlike {@link GradientCheck}, whose numeric pass
 * runs on an inference tape (evaluation mode), both passes here run on tapes from the same
 * factory: a training-mode layer (batch statistics, dropout) is differentiated as the function
 * it computes in training, and a fresh random stream per tape gives every evaluation the same
 * dropout mask.
 */
final class LayerGradientCheck {
  private LayerGradientCheck() {}

  static final double H = 1e-6;

  /** Training-mode tapes with a fresh stream of seed {@code seed} each (so every pass draws the same mask). */
  static Supplier<Tape> training(Backend be, long seed) {
    return () -> Tape.training(be).withRandom(new RandomStream("dropout", seed));
  }

  /** Evaluation-mode tapes that still record (running statistics, no dropout). */
  static Supplier<Tape> evaluation(Backend be) {
    return () -> Tape.evaluationGradients(be);
  }

  /** Like {@link GradientCheck#check}, with both passes on tapes from {@code tapes}. */
  static GradientCheck.Result check(Backend be, Supplier<Tape> tapes, Function<List<Var>, Var> f, GradientCheck.Input... inputs) {
    double[][] analytic = new double[inputs.length][];
    try (MemoryScope s = be.openScope()) {
      Tape tape = tapes.get();
      List<Var> vars = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) vars.add(tape.leaf(be.fromDoubles(inputs[i].values(), inputs[i].shape()), "x" + i));
      Var loss = f.apply(vars);
      tape.backward(loss);
      for (int i = 0; i < inputs.length; i++) {
        Tensor g = vars.get(i).grad();
        analytic[i] = g == null ? new double[inputs[i].values().length] : g.toDoubles();
      }
    }
    double worst = 0;
    String where = "";
    for (int i = 0; i < inputs.length; i++) {
      double[] x = inputs[i].values();
      for (int k = 0; k < x.length; k++) {
        double orig = x[k];
        x[k] = orig + H;
        double plus = evaluate(be, tapes, f, inputs);
        x[k] = orig - H;
        double minus = evaluate(be, tapes, f, inputs);
        x[k] = orig;
        double numeric = (plus - minus) / (2 * H);
        double err = Math.abs(analytic[i][k] - numeric) / Math.max(1.0, Math.abs(numeric));
        if (!(err <= worst)) {
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
          where = "input " + i + "[" + k + "]: analytic " + analytic[i][k] + " vs numeric " + numeric;
        }
      }
    }
    return new GradientCheck.Result(worst, where);
  }

  private static double evaluate(Backend be, Supplier<Tape> tapes, Function<List<Var>, Var> f, GradientCheck.Input... inputs) {
    try (MemoryScope s = be.openScope()) {
      Tape tape = tapes.get();
      List<Var> vars = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) vars.add(tape.constant(be.fromDoubles(inputs[i].values(), inputs[i].shape()), "x" + i));
      return f.apply(vars).value().item();
    }
  }

  static double[] uniform(long seed, int n, double lo, double hi) {
    RandomStream r = new RandomStream("test", seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.uniform(lo, hi);
    return v;
  }

  /** Σ y ⊙ R with fixed weights R, so every output coordinate matters to the loss. */
  static Var weightedSum(Var y) {
    Backend be = y.tape().backend();
    double[] r = uniform(99, (int) y.value().size(), -1.0, 1.0);
    return Ops.sum(Ops.mul(y, y.tape().constant(be.fromDoubles(r, y.shape()), "weights")));
  }

  /**
   * Checks {@code layer}'s gradient with respect to its input {@code x[batch, inputSize]} and
   * every trainable parameter (drawn uniformly in [-1, 1]); buffers are fixed constants drawn in
   * [0.5, 1.5] (a positive running variance). Returns the worst error.
   */
  static GradientCheck.Result checkLayer(Backend be, Supplier<Tape> tapes, Layer layer, int batch, long seed) {
    List<ParameterDecl> trainable = new ArrayList<>();
    Map<String, double[]> buffers = new HashMap<>();
    List<GradientCheck.Input> inputs = new ArrayList<>();
    inputs.add(new GradientCheck.Input(uniform(seed, batch * layer.inputSize(), -1, 1), batch, layer.inputSize()));
    long k = seed;
    for (ParameterDecl d : layer.parameters()) {
      int n = Math.toIntExact(count(d.shape()));
      if (d.buffer()) {
        buffers.put(d.name(), uniform(++k, n, 0.5, 1.5));
      } else {
        trainable.add(d);
        inputs.add(new GradientCheck.Input(uniform(++k, n, -1, 1), d.shape()));
      }
    }
    Map<String, long[]> shapes = new HashMap<>();
    for (ParameterDecl d : layer.parameters()) shapes.put(d.name(), d.shape());
    return check(be, tapes, vars -> {
      Tape tape = vars.get(0).tape();
      Map<String, Var> bound = new HashMap<>();
      for (int i = 0; i < trainable.size(); i++) bound.put(trainable.get(i).name(), vars.get(i + 1));
      buffers.forEach((name, v) -> bound.put(name, tape.constant(be.fromDoubles(v, shapes.get(name)), name)));
      return weightedSum(layer.forward(vars.get(0), new LayerContext(tape, "", bound::get)));
    }, inputs.toArray(GradientCheck.Input[]::new));
  }

  static long count(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }
}
