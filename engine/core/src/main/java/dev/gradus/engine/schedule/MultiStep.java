package dev.gradus.engine.schedule;

import java.util.Arrays;

/**
 * Multi-step decay (torch {@code MultiStepLR}): the value is multiplied by {@code factor} at each
 * milestone step, {@code α_t = initial · factor^|{m ∈ milestones : m ≤ t}|}. The value at a
 * milestone step is already the reduced one.
 */
public final class MultiStep implements Schedule {
  private final double initial;
  private final double factor;
  private final long[] milestones;

  /**
   * @param initial α₀, the value before the first milestone; finite
   * @param factor the multiplier applied at each milestone; finite and &gt; 0
   * @param milestones the steps at which the value is multiplied; each &gt;= 1, strictly increasing
   */
  public MultiStep(double initial, double factor, long... milestones) {
    Check.finite("initial", initial);
    Check.positive("factor", factor);
    Check.notNull("milestones", milestones);
    long[] copy = milestones.clone();
    for (int i = 0; i < copy.length; i++) {
      if (i == 0) {
        Check.atLeast("milestones[0]", copy[0], 1);
      } else if (copy[i] <= copy[i - 1]) {
        throw new IllegalArgumentException("milestones must be strictly increasing, but milestones[" + i + "] = "
            + copy[i] + " <= milestones[" + (i - 1) + "] = " + copy[i - 1]);
      }
    }
    this.initial = initial;
    this.factor = factor;
    this.milestones = copy;
  }

  public double initial() {
    return initial;
  }

  public double factor() {
    return factor;
  }

  /** A copy of the milestones. */
  public long[] milestones() {
    return milestones.clone();
  }

  @Override
  public double at(long step) {
    Check.step(step);
    int passed = 0;
    while (passed < milestones.length && milestones[passed] <= step) passed++;
    return initial * Math.pow(factor, passed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MultiStep m && Double.compare(m.initial, initial) == 0
        && Double.compare(m.factor, factor) == 0 && Arrays.equals(m.milestones, milestones);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Double.hashCode(initial) + Double.hashCode(factor)) + Arrays.hashCode(milestones);
  }

  @Override
  public String toString() {
    return "multiStep(initial=" + initial + ", factor=" + factor + ", milestones=" + Arrays.toString(milestones) + ")";
  }
}
