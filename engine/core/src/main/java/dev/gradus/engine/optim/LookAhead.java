package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A transform that wants its next gradient evaluated somewhere other than at the current
 * parameters: the book's Nesterov momentum (Algorithm 8.3) and RMSProp with Nesterov momentum
 * (Algorithm 8.6) take the gradient at the interim point {@code θ̃ = θ + αv}. A
 * {@link GradientTransform} only sees the gradient it is handed, so the caller cooperates.
 *
 * <p><b>Contract for whoever computes gradients</b> (trainers, {@link StepsToTolerance}):
 * before each update, get the offsets for the transform's current state (for the whole
 * optimizer: {@link #offsets(GradientTransform, OptimizerState, ParameterSet)}); add each
 * offset to its parameter; compute the gradient (and, if wanted, the loss: it is the loss at
 * θ̃); put the parameters back exactly as they were; then call
 * {@link GradientTransform#update} with that gradient, the same state and the restored
 * parameters, and apply the updates. {@link #gradientAt} does the add / compute / restore part,
 * restoring by copy so that θ is bit-identical afterwards. Paths without an offset are not
 * moved. A caller that ignores look-ahead gets the gradient at θ, which turns the book's
 * Nesterov into classic momentum.
 */
public interface LookAhead {
  /**
   * Offsets by parameter path to add to the parameters before the gradient of the next update
   * is computed; null or empty for none. Tensors may be scope-owned (they are used at once).
   */
  Map<String, Tensor> lookAheadOffsets(OptimizerState state, ParameterSet params);

  /** A look-ahead transform found inside an optimizer, with its own part of the state. */
  record Found(LookAhead transform, OptimizerState state) {
    public Map<String, Tensor> offsets(ParameterSet params) {
      Map<String, Tensor> o = transform.lookAheadOffsets(state, params);
      return o == null ? Map.of() : o;
    }
  }

  /**
   * Every look-ahead in {@code transform} with its state: the transform itself if it is one,
   * else the look-ahead members of a {@link Chain}, searched recursively, in chain order. Empty
   * when there is none. A composite transform other than a chain (e.g. one that routes
   * parameter groups to different transforms) exposes its members' look-ahead by implementing
   * {@link LookAhead} itself.
   */
  static List<Found> find(GradientTransform transform, OptimizerState state) {
    List<Found> out = new ArrayList<>();
    collect(transform, state, out);
    return out;
  }

  private static void collect(GradientTransform transform, OptimizerState state, List<Found> out) {
    if (transform instanceof LookAhead l) {
      out.add(new Found(l, state));
    } else if (transform instanceof Chain c) {
      List<OptimizerState> members = ((Chain.State) state).members();
      for (int i = 0; i < c.transforms().size(); i++) collect(c.transforms().get(i), members.get(i), out);
    }
  }

  /** Whether {@code transform} or any chain member looks ahead (a trainer may skip the rest when not). */
  static boolean present(GradientTransform transform) {
    if (transform instanceof LookAhead) return true;
    if (transform instanceof Chain c) {
      for (GradientTransform t : c.transforms()) if (present(t)) return true;
    }
    return false;
  }

  /**
   * The offsets of every look-ahead in {@code transform}, added up per path (normally there is
   * one); empty when there is none.
   */
  static Map<String, Tensor> offsets(GradientTransform transform, OptimizerState state, ParameterSet params) {
    Map<String, Tensor> sum = new LinkedHashMap<>();
    for (Found f : find(transform, state)) {
      for (Map.Entry<String, Tensor> e : f.offsets(params).entrySet()) {
        sum.merge(e.getKey(), e.getValue(), (a, b) -> a.backend().add(a, b));
      }
    }
    return sum;
  }

  /**
   * Runs {@code gradient} with the parameters moved to the look-ahead point of
   * {@code transform}'s next update, then restores them bit for bit; returns what
   * {@code gradient} returned. Without look-ahead it just runs {@code gradient}.
   */
  static <T> T gradientAt(GradientTransform transform, OptimizerState state, ParameterSet params, Supplier<T> gradient) {
    if (!present(transform)) return gradient.get();
    return gradientAt(params, offsets(transform, state, params), gradient);
  }

  /**
   * Runs {@code gradient} with {@code θ + offset} in each parameter that has an offset, then
   * copies the original values back (bit-identical, also when {@code gradient} throws).
   */
  static <T> T gradientAt(ParameterSet params, Map<String, Tensor> offsets, Supplier<T> gradient) {
    if (offsets == null || offsets.isEmpty()) return gradient.get();
    Map<String, Tensor> saved = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : offsets.entrySet()) {
        Tensor value = params.get(e.getKey()).value();
        Backend be = value.backend();
        saved.put(e.getKey(), be.scale(value, 1.0));
        be.addInPlace(value, e.getValue(), 1.0);
      }
      return gradient.get();
    } finally {
      for (Map.Entry<String, Tensor> e : saved.entrySet()) {
        Parameter p = params.get(e.getKey());
        p.value().backend().copyInto(p.value(), e.getValue());
        e.getValue().close();
      }
    }
  }
}
