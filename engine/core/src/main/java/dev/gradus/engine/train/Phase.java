package dev.gradus.engine.train;

import dev.gradus.engine.optim.GradientTransform;
import dev.gradus.engine.schedule.Schedule;

/**
 * One phase of an optimizer pipeline: its own transform chain and stopping rule, e.g. Adam for
 * 5 epochs, then SGD with momentum until the validation loss plateaus.
 *
 * @param carryState start from the previous phase's optimizer state (restored through its
 *     {@link dev.gradus.engine.optim.StateDict}; the chains must have the same structure) instead
 *     of a fresh {@code init}; explicit, because silently carrying Adam's moments into another
 *     method, or silently dropping them, both surprise
 * @param batchSize the minibatch size as a function of the epoch within the phase (0-based),
 *     rounded; null keeps the configuration's. A growing batch is the seed notes' alternative to
 *     a decaying learning rate.
 */
public record Phase(String name, GradientTransform optimizer, StoppingRule stop, boolean carryState, Schedule batchSize) {
  public Phase {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("a phase needs a name");
    if (optimizer == null) throw new IllegalArgumentException("phase '" + name + "' needs an optimizer");
    if (stop == null) throw new IllegalArgumentException("phase '" + name + "' needs a stopping rule");
  }

  public static Phase of(String name, GradientTransform optimizer, StoppingRule stop) {
    return new Phase(name, optimizer, stop, false, null);
  }

  public Phase carryingState() {
    return new Phase(name, optimizer, stop, true, batchSize);
  }

  public Phase withBatchSize(Schedule b) {
    return new Phase(name, optimizer, stop, carryState, b);
  }
}
