package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state most transforms keep: the number of updates made so far ({@code "step"}, the t at
 * which the next update evaluates its schedules) and named per-parameter buffers keyed
 * {@code "<buffer>/<path>"} (e.g. {@code exp_avg/layers.0.weight}), one per buffer name and
 * parameter, in parameter order.
 *
 * <p>Buffers live outside any memory scope (made with {@link Backend#detach}) and are updated in
 * place by the owning transform; {@link #next()} returns the state for the following step, which
 * shares the buffers (ownership is linear: the old state object is not used again).
 */
public final class TransformState implements OptimizerState {
  private final long step;
  private final Map<String, Tensor> buffers;

  private TransformState(long step, Map<String, Tensor> buffers) {
    this.step = step;
    this.buffers = buffers;
  }

  /** A state with no buffers (transforms that only count steps). */
  public static TransformState counter(long step) {
    return new TransformState(step, Map.of());
  }

  /**
   * Step 0 and, for each buffer name, one buffer per parameter of {@code params} (trainable or
   * not, so that state stays aligned when parameters are frozen and unfrozen), filled with
   * {@code fill}, in the parameter's type.
   */
  public static TransformState init(ParameterSet params, double fill, String... names) {
    Map<String, Tensor> b = new LinkedHashMap<>();
    for (String name : names) {
      for (Parameter p : params.all()) {
        Tensor v = p.value();
        b.put(name + "/" + p.path(), v.backend().detach(v.backend().full(v.dtype(), fill, v.shape())));
      }
    }
    return new TransformState(0, b);
  }

  /** The state {@code dict} was taken from: its step and its buffers for every parameter. */
  public static TransformState restore(StateDict dict, ParameterSet params, String... names) {
    long step = (long) dict.scalar("step");
    Map<String, Tensor> b = new LinkedHashMap<>();
    for (String name : names) {
      for (Parameter p : params.all()) {
        String key = name + "/" + p.path();
        double[] values = dict.tensor(key);
        long[] shape = dict.shapes().get(key);
        Tensor v = p.value();
        if (!Arrays.equals(shape, v.shape())) {
          throw new IllegalArgumentException("optimizer state '" + key + "' has shape " + Arrays.toString(shape)
              + " but the parameter has shape " + Arrays.toString(v.shape()));
        }
        b.put(key, v.backend().detach(v.backend().fromDoubles(v.dtype(), values, shape)));
      }
    }
    int expected = b.size();
    if (dict.tensors().size() != expected) {
      throw new IllegalArgumentException("optimizer state has tensors " + dict.tensors().keySet() + ", expected buffers "
          + List.of(names) + " for parameters " + params.paths());
    }
    return new TransformState(step, b);
  }

  /** Updates made so far: the step at which the next update evaluates its schedules. */
  public long step() {
    return step;
  }

  /** The same buffers with the step advanced by one. */
  public TransformState next() {
    return new TransformState(step + 1, buffers);
  }

  /** Whether there is a buffer {@code name} for parameter {@code path}. */
  public boolean has(String name, String path) {
    return buffers.containsKey(name + "/" + path);
  }

  /** The buffer {@code name} of parameter {@code path}. */
  public Tensor buffer(String name, String path) {
    Tensor t = buffers.get(name + "/" + path);
    if (t == null) {
      throw new IllegalArgumentException("no optimizer buffer '" + name + "' for parameter '" + path
          + "' (the state was made for other parameters?); buffers: " + buffers.keySet());
    }
    return t;
  }

  @Override
  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(buffers);
  }

  @Override
  public Map<String, Double> scalars() {
    return Map.of("step", (double) step);
  }

  /** Frees the buffers (when a state is discarded for good). */
  public void close() {
    for (Tensor t : buffers.values()) t.close();
  }
}
