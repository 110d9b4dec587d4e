package dev.gradus.engine.schedule;

/**
 * Exponential decay, {@code α_t = initial · e^(−rate · t)}.
 *
 * @param initial α₀; finite
 * @param rate k, the decay rate per step; finite and &gt;= 0
 */
public record ExponentialDecay(double initial, double rate) implements Schedule {
  public ExponentialDecay {
    Check.finite("initial", initial);
    Check.nonNegative("rate", rate);
  }

  @Override
  public double at(long step) {
    return initial * Math.exp(-rate * Check.step(step));
  }

  @Override
  public String toString() {
    return "exponential(initial=" + initial + ", rate=" + rate + ")";
  }
}
