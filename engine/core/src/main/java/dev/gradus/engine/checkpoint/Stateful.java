package dev.gradus.engine.checkpoint;

import dev.gradus.engine.optim.StateDict;

/**
 * A training component that keeps state across epochs beyond what its configuration and the
 * epoch number determine (a plateau stopping rule's best value, a bandit curriculum's loss
 * history). Checkpoints save it and a resumed run gives it back, after which the component
 * behaves exactly as the saved one would have. Components whose behaviour is a function of the
 * epoch and the data need not implement it.
 */
public interface Stateful {
  /** The complete mutable state as plain data. */
  StateDict saveState();

  /**
   * Sets the state to one {@link #saveState} of an identically configured component produced.
   *
   * @throws IllegalArgumentException when the state does not fit this component
   */
  void restoreState(StateDict state);
}
