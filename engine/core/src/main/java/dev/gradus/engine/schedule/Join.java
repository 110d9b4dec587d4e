package dev.gradus.engine.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Schedules joined one after another (optax {@code join_schedules}): part 0 applies to steps
 * {@code [0, b₀)}, part i to {@code [b_{i−1}, b_i)}, the last part from its boundary on. Each part
 * sees the step relative to its own start: {@code α_t = parts[i].at(t − b_{i−1})} (with
 * {@code b_{−1} = 0}).
 */
public final class Join implements Schedule {
  private final List<Schedule> parts;
  private final long[] boundaries;

  /**
   * @param parts the schedules, in order; at least one, none null
   * @param boundaries the step at which each part after the first starts; {@code parts.size() − 1}
   *     of them, each &gt;= 1, strictly increasing
   */
  public Join(List<Schedule> parts, long... boundaries) {
    Check.notNull("parts", parts);
    Check.notNull("boundaries", boundaries);
    if (parts.isEmpty()) throw new IllegalArgumentException("parts must not be empty");
    for (int i = 0; i < parts.size(); i++) Check.notNull("parts[" + i + "]", parts.get(i));
    if (boundaries.length != parts.size() - 1) {
      throw new IllegalArgumentException("boundaries must have parts.size() - 1 = " + (parts.size() - 1)
          + " entries, got " + boundaries.length);
    }
    long[] copy = boundaries.clone();
    for (int i = 0; i < copy.length; i++) {
      if (i == 0) {
        Check.atLeast("boundaries[0]", copy[0], 1);
      } else if (copy[i] <= copy[i - 1]) {
        throw new IllegalArgumentException("boundaries must be strictly increasing, but boundaries[" + i + "] = "
            + copy[i] + " <= boundaries[" + (i - 1) + "] = " + copy[i - 1]);
      }
    }
    this.parts = List.copyOf(new ArrayList<>(parts));
    this.boundaries = copy;
  }

  @Override
  public List<Schedule> parts() {
    return parts;
  }

  /** A copy of the boundaries. */
  public long[] boundaries() {
    return boundaries.clone();
  }

  @Override
  public double at(long step) {
    Check.step(step);
    int i = 0;
    while (i < boundaries.length && boundaries[i] <= step) i++;
    long start = i == 0 ? 0 : boundaries[i - 1];
    return parts.get(i).at(step - start);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Join j && j.parts.equals(parts) && Arrays.equals(j.boundaries, boundaries);
  }

  @Override
  public int hashCode() {
    return 31 * parts.hashCode() + Arrays.hashCode(boundaries);
  }

  @Override
  public String toString() {
    return "join(parts=" + parts + ", boundaries=" + Arrays.toString(boundaries) + ")";
  }
}
