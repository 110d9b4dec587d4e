package dev.gradus.engine.autodiff;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.random.RandomStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records operations in the order they run so that {@link #backward} can replay their VJPs in
 * reverse. Reverse creation order is a valid topological order, so no graph sort is needed.
 * A tape made by {@link #inference} records nothing and keeps no intermediates alive.
 *
 * <p>The tape also carries what layers need beyond their parameters: the mode (training uses
 * batch statistics and dropout), the random stream of stochastic layers, staged buffer updates
 * (running statistics) that the training step applies after its update, and values layers
 * publish for diagnostics.
 */
public final class Tape {
  private final Backend backend;
  private final boolean recording;
  private final boolean training;
  private final List<Var> nodes = new ArrayList<>();
  private final Map<String, Tensor> bufferUpdates = new LinkedHashMap<>();
  private final Map<String, Var> published = new LinkedHashMap<>();
  private RandomStream random;
  private String layer = "";

  private Tape(Backend backend, boolean recording, boolean training) {
    this.backend = backend;
    this.recording = recording;
    this.training = training;
  }

  /** A tape that records for a backward pass, with layers in training mode. */
  public static Tape training(Backend backend) {
    return new Tape(backend, true, true);
  }

  /** A tape for forward passes only, layers in evaluation mode (evaluation, prediction). */
  public static Tape inference(Backend backend) {
    return new Tape(backend, false, false);
  }

  /**
   * A tape that records for a backward pass with layers in evaluation mode: gradients and
   * curvature of the deterministic function the model computes at test time (running
   * statistics, no dropout).
   */
  public static Tape evaluationGradients(Backend backend) {
    return new Tape(backend, true, false);
  }

  /** True when layers run in training mode (batch statistics, dropout). */
  public boolean isTraining() {
    return training;
  }

  /** Gives stochastic layers their stream; returns this tape. */
  public Tape withRandom(RandomStream random) {
    this.random = random;
    return this;
  }

  /** The stream stochastic layers draw from, or null when none was given. */
  public RandomStream random() {
    return random;
  }

  /** Records {@code value} as the next value of the buffer at {@code path} (the latest staging wins). */
  public void stageBufferUpdate(String path, Tensor value) {
    bufferUpdates.put(path, value);
  }

  /** Buffer values staged during the forward pass, by path, in staging order. */
  public Map<String, Tensor> bufferUpdates() {
    return Collections.unmodifiableMap(bufferUpdates);
  }

  /** Makes an intermediate value visible to diagnostics under {@code path}. */
  public void publish(String path, Var value) {
    published.put(path, value);
  }

  /** Values layers published, by path, in publication order; after {@link #backward} their gradients are set. */
  public Map<String, Var> published() {
    return Collections.unmodifiableMap(published);
  }

  public Backend backend() {
    return backend;
  }

  public boolean isRecording() {
    return recording;
  }

  /** Tags the values made from now on with a layer path, for error messages and diagnostics. */
  public void enterLayer(String path) {
    this.layer = path;
  }

  public String currentLayer() {
    return layer;
  }

  /** A value the loss is not differentiated with respect to (inputs, labels). */
  public Var constant(Tensor value, String name) {
    return add(value, name, new Var[0], null, false);
  }

  /** A leaf whose gradient {@link #backward} computes (a parameter). */
  public Var leaf(Tensor value, String name) {
    return add(value, name, new Var[0], null, recording);
  }

  /** Records the result of an operation; its gradient is wanted if any input's is. */
  public Var record(String op, Tensor value, Vjp vjp, Var... inputs) {
    boolean any = false;
    for (Var v : inputs) {
      if (v.tape != this) throw new IllegalArgumentException("values from different tapes cannot be combined in " + op);
      any |= v.requiresGrad;
    }
    return add(value, op, inputs, vjp, recording && any);
  }

  /**
   * Records the result of an operation with both its tensor VJP (used by {@link #backward(Var)})
   * and its differentiable VJP (used by {@link #backward(Var, boolean)} with {@code createGraph}).
   */
  public Var record(String op, Tensor value, Vjp vjp, Vjp.Differentiable differentiableVjp, Var... inputs) {
    Var v = record(op, value, vjp, inputs);
    if (v.requiresGrad) v.differentiableVjp = differentiableVjp;
    return v;
  }

  private Var add(Tensor value, String op, Var[] inputs, Vjp vjp, boolean requiresGrad) {
    Var v = new Var(this, value, op, layer, requiresGrad ? inputs : new Var[0], requiresGrad ? vjp : null, requiresGrad, nodes.size());
    if (recording) nodes.add(v);
    return v;
  }

  /** The recorded values in creation order (empty for an inference tape). */
  public List<Var> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /**
   * With {@code createGraph} false this is {@link #backward(Var)}. With it true, the gradients
   * are computed with each operation's {@link Vjp.Differentiable differentiable VJP}, i.e. with
   * {@link Ops} recorded on this same tape: afterwards {@link Var#gradVar()} holds d(loss)/d(v) as
   * a recorded value ({@link Var#grad()} is left untouched), and a later {@link #backward(Var)}
   * of any scalar built from those values differentiates through the backward pass (second
   * derivatives: Hessian-vector products {@code ∇(∇L·v)}). An operation recorded without a
   * differentiable VJP fails here with an error naming it.
   */
  public void backward(Var loss, boolean createGraph) {
    if (!createGraph) {
      backward(loss);
      return;
    }
    if (!recording) throw new IllegalStateException("an inference tape records nothing to differentiate");
    if (loss.tape != this) throw new IllegalArgumentException("the loss was recorded on a different tape");
    if (loss.value.size() != 1) {
      throw new IllegalArgumentException("backward needs a scalar loss, got shape " + Tensor.shapeString(loss.value.shape()));
    }
    if (!loss.requiresGrad) return;
    loss.gradVar = constant(backend.full(loss.value.dtype(), 1.0, loss.value.shape()), "seed");
    // values recorded by the differentiable VJPs are appended after the loss: iterating by index
    // from the loss down never visits them
    for (int i = loss.index; i >= 0; i--) {
      Var v = nodes.get(i);
      if (v.gradVar == null || v.vjp == null) continue;
      if (v.differentiableVjp == null) {
        throw new UnsupportedOperationException("operation '" + v.op + "'" + (v.layer.isEmpty() ? "" : " in layer " + v.layer)
            + " has no differentiable VJP: second derivatives (createGraph, Hessian-vector products) are not supported through it");
      }
      boolean[] needed = new boolean[v.inputs.length];
      for (int k = 0; k < needed.length; k++) needed[k] = v.inputs[k].requiresGrad;
      Var[] grads = v.differentiableVjp.apply(v.gradVar, v, needed);
      for (int k = 0; k < needed.length; k++) {
        if (!needed[k]) continue;
        Var in = v.inputs[k];
        Var g = grads[k];
        if (g == null) throw new IllegalStateException(v.op + " gave no differentiable gradient for input " + k);
        in.gradVar = in.gradVar == null ? g : Ops.add(in.gradVar, g);
      }
    }
  }

  /** Forgets every gradient ({@link Var#grad()} and {@link Var#gradVar()}) computed on this tape. */
  public void clearGradients() {
    for (Var v : nodes) {
      v.grad = null;
      v.gradVar = null;
    }
  }

  /**
   * Computes d(loss)/d(v) for every recorded value the loss depends on; afterwards
   * {@link Var#grad()} holds it. The loss must be a single element.
   */
  public void backward(Var loss) {
    if (!recording) throw new IllegalStateException("an inference tape records nothing to differentiate");
    if (loss.value.size() != 1) {
      throw new IllegalArgumentException("backward needs a scalar loss, got shape " + Tensor.shapeString(loss.value.shape()));
    }
    if (!loss.requiresGrad) return;
    loss.grad = backend.full(loss.value.dtype(), 1.0, loss.value.shape());
    for (int i = loss.index; i >= 0; i--) {
      Var v = nodes.get(i);
      if (v.grad == null || v.vjp == null) continue;
      boolean[] needed = new boolean[v.inputs.length];
      for (int k = 0; k < needed.length; k++) needed[k] = v.inputs[k].requiresGrad;
      Tensor[] grads = v.vjp.apply(v.grad, needed);
      for (int k = 0; k < needed.length; k++) {
        if (!needed[k]) continue;
        Var in = v.inputs[k];
        Tensor g = grads[k];
        if (g == null) throw new IllegalStateException(v.op + " gave no gradient for input " + k);
        // a value used twice gets the sum of both paths' gradients
        in.grad = in.grad == null ? g : backend.add(in.grad, g);
      }
    }
  }
}
