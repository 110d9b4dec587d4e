package dev.gradus.engine.schedule;

import java.util.List;

/**
 * A schedule of the epoch, read per optimizer step: {@code α_step = ofEpoch.at(⌊step /
 * stepsPerEpoch⌋)}. Every step of an epoch gets the value of that epoch.
 *
 * @param ofEpoch the schedule, indexed by 0-based epoch
 * @param stepsPerEpoch optimizer steps per epoch; &gt;= 1
 */
public record PerEpoch(Schedule ofEpoch, long stepsPerEpoch) implements Schedule {
  public PerEpoch {
    Check.notNull("ofEpoch", ofEpoch);
    Check.atLeast("stepsPerEpoch", stepsPerEpoch, 1);
  }

  @Override
  public double at(long step) {
    return ofEpoch.at(Check.step(step) / stepsPerEpoch);
  }

  @Override
  public List<Schedule> parts() {
    return List.of(ofEpoch);
  }

  @Override
  public String toString() {
    return "perEpoch(" + ofEpoch + ", stepsPerEpoch=" + stepsPerEpoch + ")";
  }
}
