package dev.gradus.engine.schedule;

/**
 * Step decay: the value is multiplied by {@code factor} every {@code every} steps,
 * {@code α_t = initial · factor^⌊t / every⌋} (torch {@code StepLR}).
 *
 * @param initial α₀, the value for steps 0 … every−1; finite
 * @param factor the multiplier applied at each multiple of {@code every}; finite and &gt; 0
 * @param every the period in steps; &gt;= 1
 */
public record StepDecay(double initial, double factor, long every) implements Schedule {
  public StepDecay {
    Check.finite("initial", initial);
    Check.positive("factor", factor);
    Check.atLeast("every", every, 1);
  }

  @Override
  public double at(long step) {
    return initial * Math.pow(factor, Check.step(step) / every);
  }

  @Override
  public String toString() {
    return "stepDecay(initial=" + initial + ", factor=" + factor + ", every=" + every + ")";
  }
}
