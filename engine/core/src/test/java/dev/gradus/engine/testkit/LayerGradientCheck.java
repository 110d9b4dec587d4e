package dev.gradus.engine.testkit;

import dev.gradus.engine.autodiff.Ops;
import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.nn.Layer;
import dev.gradus.engine.nn.LayerContext;
import dev.gradus.engine.nn.ParameterDecl;
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
public final class LayerGradientCheck {
  private LayerGradientCheck() {}

  public static final double H = 1e-6;

  /** Training-mode tapes with a fresh stream of seed {@code seed} each (so every pass draws the same mask). */
  public static Supplier<Tape> training(Backend be, long seed) {
    return () -> Tape.training(be).withRandom(new RandomStream("dropout", seed));
  }

  /** Evaluation-mode tapes that still record (running statistics, no dropout). */
  public static Supplier<Tape> evaluation(Backend be) {
    return () -> Tape.evaluationGradients(be);
  }

  /** Like {@link GradientCheck#check}, with both passes on tapes from {@code tapes}. */
  public static GradientCheck.Result check(Backend be, Supplier<Tape> tapes, Function<List<Var>, Var> f, GradientCheck.Input... inputs) {
    return GradientCheck.check(be, tapes, tapes, f, H, inputs);
  }

  public static double[] uniform(long seed, int n, double lo, double hi) {
    RandomStream r = new RandomStream("test", seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.uniform(lo, hi);
    return v;
  }

  /** Σ y ⊙ R with fixed weights R, so every output coordinate matters to the loss. */
  public static Var weightedSum(Var y) {
    Backend be = y.tape().backend();
    double[] r = uniform(99, (int) y.value().size(), -1.0, 1.0);
    return Ops.sum(Ops.mul(y, y.tape().constant(be.fromDoubles(r, y.shape()), "weights")));
  }

  /**
   * Checks {@code layer}'s gradient with respect to its input {@code x[batch, inputSize]} and
   * every trainable parameter (drawn uniformly in [-1, 1]); buffers are fixed constants drawn in
   * [0.5, 1.5] (a positive running variance). Returns the worst error.
   */
  public static GradientCheck.Result checkLayer(Backend be, Supplier<Tape> tapes, Layer layer, int batch, long seed) {
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

  public static long count(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }
}
