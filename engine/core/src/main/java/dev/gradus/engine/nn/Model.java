package dev.gradus.engine.nn;

import dev.gradus.engine.autodiff.Tape;
import dev.gradus.engine.autodiff.Var;
import dev.gradus.engine.init.Constant;
import dev.gradus.engine.init.GlorotUniform;
import dev.gradus.engine.init.Initializer;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequential model: an ordered list of layers, structure only. Layer i's parameters have the
 * paths {@code layers.i.<name>} (as in a PyTorch {@code nn.Sequential} state dict, with a prefix).
 */
public final class Model {
  private final int inputSize;
  private final List<Layer> layers;

  public Model(int inputSize, List<Layer> layers) {
    if (layers.isEmpty()) throw new IllegalArgumentException("a model needs at least one layer");
    int size = inputSize;
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      if (l.inputSize() != size) {
        throw new IllegalArgumentException("layers." + i + " (" + l.kind() + ") expects " + l.inputSize() + " inputs but receives " + size);
      }
      size = l.outputSize();
    }
    this.inputSize = inputSize;
    this.layers = List.copyOf(layers);
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

  public static String layerPath(int index) {
    return "layers." + index;
  }

  /**
   * Fresh parameters drawn from {@code rng} in layer order, as {@code dtype} tensors that live
   * outside any memory scope (close the set to free them).
   */
  public ParameterSet initialize(Backend backend, DType dtype, RandomStream rng) {
    ParameterSet set = new ParameterSet();
    for (int i = 0; i < layers.size(); i++) {
      for (ParameterDecl d : layers.get(i).parameters()) {
        double[] values = d.initializer().sample(d.shape(), d.fanIn(), d.fanOut(), rng);
        set.add(new Parameter(layerPath(i) + "." + d.name(), backend.detach(backend.fromDoubles(dtype, values, d.shape())), true));
      }
    }
    return set;
  }

  /**
   * Puts the parameters on {@code tape}: trainable ones as leaves whose gradients backward
   * computes, frozen ones as constants. Keyed by path.
   */
  public Map<String, Var> bind(Tape tape, ParameterSet params) {
    Map<String, Var> bound = new LinkedHashMap<>();
    for (Parameter p : params.all()) {
      bound.put(p.path(), p.trainable() ? tape.leaf(p.value(), p.path()) : tape.constant(p.value(), p.path()));
    }
    return bound;
  }

  /** Runs the layers on {@code input} with parameters from {@link #bind}. */
  public Var forward(Map<String, Var> bound, Var input) {
    Tape tape = input.tape();
    Var x = input;
    for (int i = 0; i < layers.size(); i++) {
      String prefix = layerPath(i) + ".";
      tape.enterLayer(layerPath(i) + " (" + layers.get(i).kind() + ")");
      x = layers.get(i).forward(x, name -> {
        Var v = bound.get(prefix + name);
        if (v == null) throw new IllegalArgumentException("parameter " + prefix + name + " is not bound");
        return v;
      });
    }
    tape.enterLayer("");
    return x;
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
