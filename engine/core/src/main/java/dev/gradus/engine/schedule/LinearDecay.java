package dev.gradus.engine.schedule;

/**
 * Linear decay to a floor, then constant (Goodfellow et al., <i>Deep Learning</i>, §8.3.1, eq.
 * 8.14): {@code ε_t = (1 − t/τ)·ε₀ + (t/τ)·ε_τ} for {@code t ≤ τ}, and {@code ε_τ} after.
 *
 * @param initial ε₀; finite
 * @param steps τ, the step at which the value reaches {@code end}; &gt;= 1
 * @param end ε_τ, the value from step τ on; finite
 */
public record LinearDecay(double initial, long steps, double end) implements Schedule {
  public LinearDecay {
    Check.finite("initial", initial);
    Check.atLeast("steps", steps, 1);
    Check.finite("end", end);
  }

  @Override
  public double at(long step) {
    if (Check.step(step) >= steps) return end;
    double alpha = (double) step / steps;
    return (1 - alpha) * initial + alpha * end;
  }

  @Override
  public String toString() {
    return "linearDecay(initial=" + initial + ", steps=" + steps + ", end=" + end + ")";
  }
}
