package dev.gradus.engine.schedule;

/**
 * A schedule whose value also depends on a metric the trainer feeds it (e.g. reduce on plateau of
 * the validation loss). It is therefore stateful: the trainer calls {@link #observe} after each
 * evaluation, and checkpoints save {@link #stateWords} and give them back to {@link
 * #restoreState}, after which the schedule continues exactly as the saved one would have.
 */
public interface MetricDrivenSchedule extends Schedule {
  /** The name of the metric this schedule watches, e.g. {@code "validation.loss"}. */
  String metric();

  /**
   * Feeds one evaluation of {@link #metric()}.
   *
   * @throws IllegalArgumentException if {@code value} is NaN
   */
  void observe(double value);

  /** The complete mutable state, as words (doubles as their raw bits), for checkpoints. */
  long[] stateWords();

  /**
   * Sets the state to one exported by {@link #stateWords} of a schedule with the same
   * configuration.
   *
   * @throws IllegalArgumentException if the words are not such a state
   */
  void restoreState(long[] words);
}
