package dev.gradus.engine.schedule;

import java.util.List;

/**
 * A hyperparameter as a function of the optimizer step (0-based: {@code at(k)} is the value used
 * for update number k+1). Pure: the same step always gives the same value, so a schedule can be
 * plotted, checkpointed by step alone and resumed. The one exception is a {@link
 * MetricDrivenSchedule}, whose value also depends on the metrics it has observed; that state is
 * exported explicitly for checkpoints.
 *
 * <p>The library of schedules is in {@link Schedules}.
 */
@FunctionalInterface
public interface Schedule {
  double at(long step);

  static Schedule constant(double value) {
    return new Constant(value);
  }

  /**
   * The schedules this one is built from (warm-up: the schedule after it; join: its parts), so
   * that nested {@link MetricDrivenSchedule}s can be found: see {@link Schedules#metricDriven}.
   * Empty for leaf schedules.
   */
  default List<Schedule> parts() {
    return List.of();
  }

  /** A schedule that is the same at every step: {@code α_t = value}. */
  record Constant(double value) implements Schedule {
    @Override
    public double at(long step) {
      return value;
    }

    @Override
    public String toString() {
      return "constant(" + value + ")";
    }
  }
}
