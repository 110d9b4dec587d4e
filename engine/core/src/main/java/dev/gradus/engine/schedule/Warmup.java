package dev.gradus.engine.schedule;

import java.util.List;

/**
 * Linear warm-up before another schedule: {@code α_t = start + (after.at(0) − start) · t/W} for
 * {@code t < W}, then {@code after.at(t − W)}. The ramp would reach {@code after.at(0)} at step W,
 * which is where {@code after} takes over, so the joint is continuous.
 *
 * @param after the schedule from step W on, seeing steps counted from its own start
 * @param warmupSteps W; &gt;= 0 (0: no warm-up)
 * @param start the value at step 0; finite
 */
public record Warmup(Schedule after, long warmupSteps, double start) implements Schedule {
  public Warmup {
    Check.notNull("after", after);
    Check.atLeast("warmupSteps", warmupSteps, 0);
    Check.finite("start", start);
  }

  @Override
  public double at(long step) {
    if (Check.step(step) >= warmupSteps) return after.at(step - warmupSteps);
    double peak = after.at(0);
    return start + (peak - start) * ((double) step / warmupSteps);
  }

  @Override
  public List<Schedule> parts() {
    return List.of(after);
  }

  @Override
  public String toString() {
    return "warmup(after=" + after + ", warmupSteps=" + warmupSteps + ", start=" + start + ")";
  }
}
