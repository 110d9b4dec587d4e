package dev.gradus.engine.schedule;

/**
 * Inverse-time decay, {@code α_t = initial / (1 + rate · t)}: satisfies the SGD convergence
 * conditions Σα_t = ∞, Σα_t² &lt; ∞ when rate &gt; 0 (§8.3.1).
 *
 * @param initial α₀; finite
 * @param rate k, the decay rate per step; finite and &gt;= 0
 */
public record InverseTimeDecay(double initial, double rate) implements Schedule {
  public InverseTimeDecay {
    Check.finite("initial", initial);
    Check.nonNegative("rate", rate);
  }

  @Override
  public double at(long step) {
    return initial / (1 + rate * Check.step(step));
  }

  @Override
  public String toString() {
    return "inverseTime(initial=" + initial + ", rate=" + rate + ")";
  }
}
