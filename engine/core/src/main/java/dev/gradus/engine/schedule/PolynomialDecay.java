package dev.gradus.engine.schedule;

/**
 * Polynomial decay, {@code α_t = (initial − end) · (1 − min(t, T)/T)^power + end}: reaches
 * {@code end} at step T and stays there. {@code power = 1} is {@link LinearDecay}.
 *
 * @param initial α₀; finite
 * @param steps T; &gt;= 1
 * @param end the value from step T on; finite
 * @param power the exponent; finite and &gt; 0
 */
public record PolynomialDecay(double initial, long steps, double end, double power) implements Schedule {
  public PolynomialDecay {
    Check.finite("initial", initial);
    Check.atLeast("steps", steps, 1);
    Check.finite("end", end);
    Check.positive("power", power);
  }

  @Override
  public double at(long step) {
    long t = Math.min(Check.step(step), steps);
    return (initial - end) * Math.pow(1 - (double) t / steps, power) + end;
  }

  @Override
  public String toString() {
    return "polynomial(initial=" + initial + ", steps=" + steps + ", end=" + end + ", power=" + power + ")";
  }
}
