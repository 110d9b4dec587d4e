package dev.gradus.engine.schedule;

/**
 * Cosine annealing without restarts (Loshchilov &amp; Hutter 2017),
 * {@code α_t = end + (initial − end) · (1 + cos(π · min(t, T)/T)) / 2}: reaches {@code end} at
 * step T and stays there.
 *
 * @param initial α₀; finite
 * @param steps T; &gt;= 1
 * @param end the value from step T on; finite
 */
public record CosineAnnealing(double initial, long steps, double end) implements Schedule {
  public CosineAnnealing {
    Check.finite("initial", initial);
    Check.atLeast("steps", steps, 1);
    Check.finite("end", end);
  }

  @Override
  public double at(long step) {
    long t = Math.min(Check.step(step), steps);
    if (t == steps) return end;
    return end + (initial - end) * (1 + Math.cos(Math.PI * t / steps)) / 2;
  }

  @Override
  public String toString() {
    return "cosine(initial=" + initial + ", steps=" + steps + ", end=" + end + ")";
  }
}
