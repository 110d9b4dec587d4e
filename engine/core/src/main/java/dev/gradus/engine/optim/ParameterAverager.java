package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A transform that keeps an average of the parameter iterates (section 8.7.3: Polyak averaging
 * and its exponential moving average form) — {@link PolyakAverage},
 * {@link ExponentialMovingAverage}.
 *
 * <p><b>It must be the last transform of the chain.</b> An averager passes the updates through
 * unchanged and averages the new iterate {@code θ + u}, where θ is the parameter value it is
 * given (the value before this step) and {@code u} the updates it receives — which are the
 * updates {@link Optimizers#applyUpdates} adds only if nothing after the averager changes them.
 * Build the pair with {@link Transforms#averaged}; {@link #find} rejects an averager followed by
 * a transform that is not itself an averager.
 *
 * <p>Every parameter of the {@link ParameterSet} the averager is given is averaged (a parameter
 * without an update this step contributes its current value), so the average is a complete set
 * of values to evaluate the model with. Averages are kept in the parameters' type.
 */
public interface ParameterAverager extends GradientTransform {
  /**
   * The averaged parameters by path, in parameter order; {@code null} before averaging has
   * started. Treat them as read-only: they may be the state's own buffers, valid until the next
   * update; copy them to keep them.
   */
  Map<String, Tensor> averagedParameters(OptimizerState state);

  /** An averager found in a transform tree, with its part of the state. */
  record Found(ParameterAverager averager, OptimizerState state) {
    /** See {@link ParameterAverager#averagedParameters}: null before averaging starts. */
    public Map<String, Tensor> averagedParameters() {
      return averager.averagedParameters(state);
    }
  }

  /**
   * The first averager in {@code transform} — the transform itself, or a member of a
   * {@link Chain} (searched recursively) — with its state; empty when there is none. Throws
   * {@link IllegalStateException} when an averager is followed in its chain by a transform that
   * is not an averager (its average would not track the parameters). Averagers inside a
   * {@link Partition} group are not searched: their averages cover one group only.
   */
  static Optional<Found> find(GradientTransform transform, OptimizerState state) {
    if (transform instanceof ParameterAverager a) return Optional.of(new Found(a, state));
    if (transform instanceof Chain chain) {
      List<GradientTransform> members = chain.transforms();
      List<OptimizerState> states = ((Chain.State) state).members();
      Optional<Found> found = Optional.empty();
      int at = -1;
      for (int i = 0; i < members.size(); i++) {
        Optional<Found> f = find(members.get(i), states.get(i));
        if (f.isPresent() && found.isEmpty()) {
          found = f;
          at = i;
        }
        if (found.isPresent() && i > at && !(members.get(i) instanceof ParameterAverager)) {
          throw new IllegalStateException(found.get().averager().getClass().getSimpleName()
              + " must be the last transform of its chain (it averages θ + u, so a later transform that changes u"
              + " makes the average drift from the parameters), but it is member " + at + " of " + members.size()
              + " and is followed by " + members.get(i).getClass().getSimpleName()
              + "; build it with Transforms.averaged(optimizer, averager)");
        }
      }
      return found;
    }
    return Optional.empty();
  }

  /** {@link #find}'s averaged parameters, or null when there is no averager or averaging has not started. */
  static Map<String, Tensor> averagedParameters(GradientTransform transform, OptimizerState state) {
    return find(transform, state).map(Found::averagedParameters).orElse(null);
  }
}
