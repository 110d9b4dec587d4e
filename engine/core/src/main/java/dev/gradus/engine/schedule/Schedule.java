package dev.gradus.engine.schedule;

/**
 * A hyperparameter as a function of the optimizer step (0-based). Pure: the same step always
 * gives the same value, so a schedule can be plotted, checkpointed by step alone and resumed.
 */
@FunctionalInterface
public interface Schedule {
  double at(long step);

  static Schedule constant(double value) {
    return new Constant(value);
  }

  /** A schedule that is the same at every step. */
  record Constant(double value) implements Schedule {
    @Override
    public double at(long step) {
      return value;
    }
  }
}
