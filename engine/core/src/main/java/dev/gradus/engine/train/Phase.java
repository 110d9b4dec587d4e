package dev.gradus.engine.train;

import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.optim.batch.BatchMethod;
import dev.gradus.engine.schedule.Schedule;

/**
 * One phase of an optimizer pipeline: its own transform chain and stopping rule, e.g. Adam for
 * 5 epochs, then SGD with momentum until the validation loss plateaus. A phase may instead hold
 * a {@link BatchMethod} (L-BFGS, conjugate gradient, Newton…: {@link #ofBatchMethod}), which the
 * trainer runs on the whole training set, one method step per step and per epoch.
 *
 * @param carryState start from the previous phase's optimizer state (restored through its
 *     {@link dev.gradus.engine.optim.StateDict}; the chains must have the same structure) instead
 *     of a fresh {@code init}; explicit, because silently carrying Adam's moments into another
 *     method, or silently dropping them, both surprise. Not available for batch-method phases.
 * @param batchSize the minibatch size as a function of the epoch within the phase (0-based),
 *     rounded; null keeps the configuration's. A growing batch is the seed notes' alternative to
 *     a decaying learning rate. For a batch-method phase null means the full training set, and a
 *     schedule makes the method step on each minibatch instead (recorded with a warning: line
 *     searches and curvature pairs assume a fixed objective).
 * @param batchMethod the batch method of a batch-method phase, else null; exactly one of
 *     {@code optimizer} and {@code batchMethod} is set
 */
public record Phase(String name, GradientTransform optimizer, StoppingRule stop, boolean carryState, Schedule batchSize,
    BatchMethod batchMethod) {
  public Phase {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a phase needs a name");
    if (optimizer == null && batchMethod == null) throw new IllegalArgumentException("phase '" + name + "' needs an optimizer");
    if (optimizer != null && batchMethod != null) {
      throw new IllegalArgumentException("phase '" + name + "' has both a gradient transform and a batch method; give one");
    }
    if (stop == null) throw new IllegalArgumentException("phase '" + name + "' needs a stopping rule");
    if (batchMethod != null && carryState) {
      throw new IllegalArgumentException("phase '" + name + "': a batch method cannot carry another phase's optimizer state");
    }
  }

  /** A first-order phase (the original record's constructor). */
  public Phase(String name, GradientTransform optimizer, StoppingRule stop, boolean carryState, Schedule batchSize) {
    this(name, optimizer, stop, carryState, batchSize, null);
  }

  public static Phase of(String name, GradientTransform optimizer, StoppingRule stop) {
    return new Phase(name, optimizer, stop, false, null);
  }

  /** A batch-method phase on the full training set: one {@link BatchMethod#step} per step (and per epoch). */
  public static Phase ofBatchMethod(String name, BatchMethod method, StoppingRule stop) {
    return new Phase(name, null, stop, false, null, method);
  }

  /** Whether this phase runs a {@link BatchMethod}. */
  public boolean isBatchMethod() {
    return batchMethod != null;
  }

  public Phase carryingState() {
    return new Phase(name, optimizer, stop, true, batchSize, batchMethod);
  }

  public Phase withBatchSize(Schedule b) {
    return new Phase(name, optimizer, stop, carryState, b, batchMethod);
  }
}
