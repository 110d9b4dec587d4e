package dev.gradus.engine.schedule;

/**
 * The momentum schedule of Sutskever, Martens, Dahl &amp; Hinton (2013), "On the importance of
 * initialization and momentum in deep learning":
 * {@code μ_t = min(1 − 2^(−1 − log₂(⌊t/every⌋ + 1)), μ_max)}, with {@code every = 250} in the
 * paper. Since {@code 2^(−1 − log₂ n) = 1/(2n)}, this is {@code min(1 − 1/(2(⌊t/every⌋+1)), μ_max)}:
 * 0.5, 0.75, 0.8333…, 0.875, … one value per block of {@code every} steps.
 *
 * @param max μ_max, the cap; in [0, 1]
 * @param every the block length in steps; &gt;= 1
 */
public record SutskeverMomentum(double max, long every) implements Schedule {
  /** The block length of the paper. */
  public static final long PAPER_EVERY = 250;

  public SutskeverMomentum {
    if (!(max >= 0 && max <= 1)) throw new IllegalArgumentException("max must be in [0, 1], got " + max);
    Check.atLeast("every", every, 1);
  }

  /** The paper's schedule, with blocks of 250 steps. */
  public SutskeverMomentum(double max) {
    this(max, PAPER_EVERY);
  }

  @Override
  public double at(long step) {
    double n = Check.step(step) / every + 1.0;
    return Math.min(1 - 0.5 / n, max);
  }

  @Override
  public String toString() {
    return "sutskeverMomentum(max=" + max + ", every=" + every + ")";
  }
}
