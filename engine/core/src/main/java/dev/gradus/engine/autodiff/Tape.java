package dev.gradus.engine.autodiff;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records operations in the order they run so that {@link #backward} can replay their VJPs in
 * reverse. Reverse creation order is a valid topological order, so no graph sort is needed.
 * A tape made by {@link #inference} records nothing and keeps no intermediates alive.
 */
public final class Tape {
  private final Backend backend;
  private final boolean recording;
  private final List<Var> nodes = new ArrayList<>();
  private String layer = "";

  private Tape(Backend backend, boolean recording) {
    this.backend = backend;
    this.recording = recording;
  }

  /** A tape that records for a backward pass. */
  public static Tape training(Backend backend) {
    return new Tape(backend, true);
  }

  /** A tape for forward passes only (evaluation). */
  public static Tape inference(Backend backend) {
    return new Tape(backend, false);
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
