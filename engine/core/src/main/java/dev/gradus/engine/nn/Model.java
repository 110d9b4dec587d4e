package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.init.Initializer;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequential model: an ordered list of layers, structure only. Layer i's parameters have the
 * paths {@code layers.i.<name>} (as in a PyTorch {@code nn.Sequential} state dict, with a prefix),
 * auxiliary head k's {@code heads.k.j.<name>}.
 */
public final class Model {
  private final int inputSize;
  private final List<Layer> layers;
  private final List<AuxiliaryHead> heads;

  public Model(int inputSize, List<Layer> layers) {
    this(inputSize, layers, List.of());
  }

  /**
   * @param heads auxiliary heads on intermediate layers (deeply-supervised nets): each reads
   *     the output of layer {@code after} and adds its weighted loss to the objective
   */
  public Model(int inputSize, List<Layer> layers, List<AuxiliaryHead> heads) {
    if (layers.isEmpty()) throw new IllegalArgumentException("a model needs at least one layer");
    int size = inputSize;
    int[] sizes = new int[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      if (l.inputSize() != size) {
        throw new IllegalArgumentException("layers." + i + " (" + l.kind() + ") expects " + l.inputSize() + " inputs but receives " + size);
      }
      size = l.outputSize();
      sizes[i] = size;
    }
    for (int k = 0; k < heads.size(); k++) {
      AuxiliaryHead h = heads.get(k);
      if (h.after() < 0 || h.after() >= layers.size() - 1) {
        throw new IllegalArgumentException("heads." + k + " is attached after layer " + h.after() + "; it must be after one of layers 0.."
            + (layers.size() - 2) + " (an intermediate layer)");
      }
      if (h.layers().get(0).inputSize() != sizes[h.after()]) {
        throw new IllegalArgumentException("heads." + k + " expects " + h.layers().get(0).inputSize() + " inputs but layer "
            + h.after() + " gives " + sizes[h.after()]);
      }
    }
    this.inputSize = inputSize;
    this.layers = List.copyOf(layers);
    this.heads = List.copyOf(heads);
  }

  public static Builder builder(int inputSize) {
    return new Builder(inputSize);
  }

  public int inputSize() {
    return inputSize;
  }

  public int outputSize() {
    return layers.get(layers.size() - 1).outputSize();
  }

  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  public List<AuxiliaryHead> heads() {
    return heads;
  }

  /** The same model without its auxiliary heads (their parameters are simply not used). */
  public Model withoutHeads() {
    return heads.isEmpty() ? this : new Model(inputSize, layers);
  }

  public static String layerPath(int index) {
    return "layers." + index;
  }

  public static String headPath(int head, int layer) {
    return "heads." + head + "." + layer;
  }

  /**
   * Fresh parameters and buffers drawn from {@code rng} in layer order (then the heads'), as
   * {@code dtype} tensors that live outside any memory scope (close the set to free them).
   */
  public ParameterSet initialize(Backend backend, DType dtype, RandomStream rng) {
    ParameterSet set = new ParameterSet();
    for (int i = 0; i < layers.size(); i++) addParameters(set, layerPath(i), layers.get(i), backend, dtype, rng);
    for (int k = 0; k < heads.size(); k++) {
      List<Layer> h = heads.get(k).layers();
      for (int j = 0; j < h.size(); j++) addParameters(set, headPath(k, j), h.get(j), backend, dtype, rng);
    }
    return set;
  }

  private static void addParameters(ParameterSet set, String prefix, Layer layer, Backend backend, DType dtype, RandomStream rng) {
    for (ParameterDecl d : layer.parameters()) {
      double[] values = d.initializer().sample(d.shape(), d.fanIn(), d.fanOut(), rng);
      Tensor t = backend.detach(backend.fromDoubles(dtype, values, d.shape()));
      String path = prefix + "." + d.name();
      set.add(d.buffer() ? Parameter.buffer(path, t) : new Parameter(path, t, true));
    }
  }

  /**
   * Draws fresh values from {@code rng} for the parameters and buffers matching any of
   * {@code patterns}, in declaration order, in place; returns their paths.
   */
  public List<String> reinitialize(ParameterSet params, RandomStream rng, List<String> patterns) {
    List<PathPattern> globs = patterns.stream().map(PathPattern::of).toList();
    List<String> done = new ArrayList<>();
    for (int i = 0; i < layers.size() + heads.size(); i++) {
      List<Layer> group = i < layers.size() ? List.of(layers.get(i)) : heads.get(i - layers.size()).layers();
      for (int j = 0; j < group.size(); j++) {
        String prefix = i < layers.size() ? layerPath(i) : headPath(i - layers.size(), j);
        for (ParameterDecl d : group.get(j).parameters()) {
          String path = prefix + "." + d.name();
          if (globs.stream().noneMatch(g -> g.matches(path))) continue;
          Tensor t = params.get(path).value();
          Backend be = t.backend();
          try (var scope = be.openScope()) {
            be.copyInto(t, be.fromDoubles(t.dtype(), d.initializer().sample(d.shape(), d.fanIn(), d.fanOut(), rng), d.shape()));
          }
          done.add(path);
        }
      }
    }
    if (done.isEmpty()) throw new IllegalArgumentException("patterns " + patterns + " match no parameter of " + this);
    return done;
  }

  /**
   * Puts the parameters on {@code tape}: trainable ones as leaves whose gradients backward
   * computes, frozen ones and buffers as constants. Keyed by path.
   */
  public Map<String, Var> bind(Tape tape, ParameterSet params) {
    Map<String, Var> bound = new LinkedHashMap<>();
    for (Parameter p : params.entries().values()) {
      bound.put(p.path(), p.trainable() ? tape.leaf(p.value(), p.path()) : tape.constant(p.value(), p.path()));
    }
    return bound;
  }

  /** The model's output and its auxiliary heads' outputs, in head order. */
  public record Outputs(Var main, List<Var> heads) {}

  /** Runs the layers on {@code input} with parameters from {@link #bind}; heads are not run. */
  public Var forward(Map<String, Var> bound, Var input) {
    return run(bound, input, false).main();
  }

  /** Runs the layers and the auxiliary heads. */
  public Outputs forwardWithHeads(Map<String, Var> bound, Var input) {
    return run(bound, input, true);
  }

  private Outputs run(Map<String, Var> bound, Var input, boolean withHeads) {
    Tape tape = input.tape();
    tape.publish(LayerContext.MODEL_INPUT, input);
    Var x = input;
    Var[] headOutputs = new Var[withHeads ? heads.size() : 0];
    for (int i = 0; i < layers.size(); i++) {
      x = runLayer(tape, bound, layerPath(i), layers.get(i), x);
      if (!withHeads) continue;
      for (int k = 0; k < heads.size(); k++) {
        if (heads.get(k).after() != i) continue;
        Var h = x;
        List<Layer> hl = heads.get(k).layers();
        for (int j = 0; j < hl.size(); j++) h = runLayer(tape, bound, headPath(k, j), hl.get(j), h);
        headOutputs[k] = h;
      }
    }
    tape.enterLayer("");
    return new Outputs(x, List.of(headOutputs));
  }

  private static Var runLayer(Tape tape, Map<String, Var> bound, String path, Layer layer, Var x) {
    tape.enterLayer(path + " (" + layer.kind() + ")");
    return layer.forward(x, new LayerContext(tape, path, name -> bound.get(path + "." + name)));
  }

  public Var forward(Tape tape, ParameterSet params, Var input) {
    return forward(bind(tape, params), input);
  }

  /** Number of layers. */
  public int depth() {
    return layers.size();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Model(").append(inputSize);
    for (Layer l : layers) sb.append(" → ").append(l.kind()).append(l instanceof Dense ? "(" + l.outputSize() + ")" : "");
    return sb.append(")").toString();
  }

  /** Fluent construction for Java callers: {@code Model.builder(784).dense(256).relu().dense(10).build()}. */
  public static final class Builder {
    private final int inputSize;
    private final List<Layer> layers = new ArrayList<>();
    private int size;
    private Initializer weightInit = new GlorotUniform();
    private Initializer biasInit = Constant.ZEROS;

    Builder(int inputSize) {
      if (inputSize <= 0) throw new IllegalArgumentException("input size must be > 0, got " + inputSize);
      this.inputSize = inputSize;
      this.size = inputSize;
    }

    /** Initializers for the dense layers added after this call. */
    public Builder init(Initializer weights, Initializer biases) {
      this.weightInit = weights;
      this.biasInit = biases;
      return this;
    }

    public Builder dense(int units) {
      return dense(units, Activation.IDENTITY);
    }

    /** A dense layer with its activation fused in (one layer, one path prefix). */
    public Builder dense(int units, Activation activation) {
      return layer(new Dense(size, units, true, weightInit, biasInit, activation));
    }

    public Builder activation(Activation a) {
      return a == Activation.IDENTITY ? this : layer(new ActivationLayer(a, size));
    }

    public Builder relu() {
      return activation(Activation.RELU);
    }

    public Builder tanh() {
      return activation(Activation.TANH);
    }

    public Builder layer(Layer l) {
      layers.add(l);
      size = l.outputSize();
      return this;
    }

    public Model build() {
      return new Model(inputSize, layers);
    }
  }
}
