package dev.gradus.engine.schedule;

import java.util.List;

/**
 * Reduce on plateau, with the semantics of torch {@code ReduceLROnPlateau}: multiplies a base
 * schedule by a factor that is itself multiplied by {@code factor} whenever the watched metric
 * has not improved for more than {@code patience} observations.
 *
 * <p>The value is {@code α_t = base.at(t) · c}, where c is the current factor (1 until the first
 * reduction), floored at {@code minValue}: {@code α_t = min(base.at(t), max(base.at(t) · c,
 * minValue))} — a reduction never takes the value below {@code minValue}, and never raises a base
 * value that is already below it.
 *
 * <p>{@link #observe(double) observe(m)}, called by the trainer after each evaluation:
 *
 * <ol>
 *   <li>m is better if, in mode MIN, {@code m < best·(1 − threshold)} (REL) or {@code m < best −
 *       threshold} (ABS); in mode MAX, {@code m > best·(1 + threshold)} (REL) or {@code m > best +
 *       threshold} (ABS). {@code best} starts at +∞ (MIN) or −∞ (MAX). If better: {@code best = m},
 *       bad = 0; otherwise bad += 1.
 *   <li>If in cooldown (cooldown counter &gt; 0): the counter decreases by 1 and bad = 0.
 *   <li>If bad &gt; patience: {@code c = c · factor}, the cooldown counter is set to {@code
 *       cooldown}, bad = 0.
 * </ol>
 *
 * <p>The state is exported as words for checkpoints ({@link #stateWords}); the value between
 * observations is a pure function of the step.
 */
public final class ReduceOnPlateau implements MetricDrivenSchedule {
  /** Whether the metric should go down (a loss) or up (an accuracy). */
  public enum Mode { MIN, MAX }

  /** Whether {@code threshold} is relative to the best value or an absolute margin. */
  public enum ThresholdMode { REL, ABS }

  /** Version tag, the first of the {@link #stateWords}. */
  public static final long STATE_VERSION = 1;

  private static final int STATE_WORDS = 7;

  private final Schedule base;
  private final String metric;
  private final Mode mode;
  private final double factor;
  private final int patience;
  private final double threshold;
  private final ThresholdMode thresholdMode;
  private final int cooldown;
  private final double minValue;

  // Mutable state: guarded by this; currentFactor is volatile so that at() needs no lock.
  private double best;
  private long badEpochs;
  private long cooldownCounter;
  private volatile double currentFactor = 1.0;
  private long observations;
  private long reductions;

  /**
   * @param base the schedule that is scaled
   * @param metric the watched metric's name; not blank
   * @param mode MIN (lower is better) or MAX
   * @param factor the multiplier at each reduction; in (0, 1)
   * @param patience the number of observations without improvement tolerated; &gt;= 0
   * @param threshold the least improvement that counts; &gt;= 0 and, in REL mode, &lt; 1
   * @param thresholdMode REL or ABS
   * @param cooldown observations after a reduction during which bad observations are not counted;
   *     &gt;= 0
   * @param minValue the floor for reduced values; finite and &gt;= 0
   */
  public ReduceOnPlateau(Schedule base, String metric, Mode mode, double factor, int patience, double threshold,
      ThresholdMode thresholdMode, int cooldown, double minValue) {
    this.base = Check.notNull("base", base);
    Check.notNull("metric", metric);
    if (metric.isBlank()) throw new IllegalArgumentException("metric must not be blank");
    this.metric = metric;
    this.mode = Check.notNull("mode", mode);
    if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
    this.factor = factor;
    Check.atLeast("patience", patience, 0);
    this.patience = patience;
    this.thresholdMode = Check.notNull("thresholdMode", thresholdMode);
    Check.nonNegative("threshold", threshold);
    if (thresholdMode == ThresholdMode.REL && threshold >= 1) {
      throw new IllegalArgumentException("threshold must be < 1 in REL mode, got " + threshold);
    }
    this.threshold = threshold;
    Check.atLeast("cooldown", cooldown, 0);
    this.cooldown = cooldown;
    this.minValue = Check.nonNegative("minValue", minValue);
    this.best = worst();
  }

  /** A builder with torch's defaults: MIN, factor 0.1, patience 10, threshold 1e-4 REL, cooldown 0, min 0. */
  public static Builder builder(Schedule base, String metric) {
    return new Builder(base, metric);
  }

  private double worst() {
    return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  private boolean isBetter(double m, double best) {
    if (mode == Mode.MIN) {
      return thresholdMode == ThresholdMode.REL ? m < best * (1 - threshold) : m < best - threshold;
    }
    return thresholdMode == ThresholdMode.REL ? m > best * (1 + threshold) : m > best + threshold;
  }

  @Override
  public double at(long step) {
    double b = base.at(step);
    double c = currentFactor;
    if (c == 1.0) return b;
    return Math.min(b, Math.max(b * c, minValue));
  }

  @Override
  public String metric() {
    return metric;
  }

  @Override
  public synchronized void observe(double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("metric " + metric + " is NaN (observation " + (observations + 1)
          + "); reduce-on-plateau cannot compare it");
    }
    observations++;
    if (isBetter(value, best)) {
      best = value;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      badEpochs = 0;
    }
    if (badEpochs > patience) {
      currentFactor = currentFactor * factor;
      reductions++;
      cooldownCounter = cooldown;
      badEpochs = 0;
    }
  }

  /**
   * {@code [STATE_VERSION, best (raw bits), bad observations, cooldown counter, current factor
   * (raw bits), observations, reductions]}.
   */
  @Override
  public synchronized long[] stateWords() {
    return new long[] {STATE_VERSION, Double.doubleToRawLongBits(best), badEpochs, cooldownCounter,
        Double.doubleToRawLongBits(currentFactor), observations, reductions};
  }

  @Override
  public synchronized void restoreState(long[] words) {
    Check.notNull("words", words);
    if (words.length != STATE_WORDS) {
      throw new IllegalArgumentException("words must have " + STATE_WORDS + " entries, got " + words.length);
    }
    if (words[0] != STATE_VERSION) {
      throw new IllegalArgumentException("words[0] (state version) must be " + STATE_VERSION + ", got " + words[0]);
    }
    double b = Double.longBitsToDouble(words[1]);
    if (Double.isNaN(b)) throw new IllegalArgumentException("words[1] (best) is NaN");
    if (words[2] < 0) throw new IllegalArgumentException("words[2] (bad observations) must be >= 0, got " + words[2]);
    if (words[3] < 0 || words[3] > cooldown) {
      throw new IllegalArgumentException("words[3] (cooldown counter) must be in [0, " + cooldown + "], got " + words[3]);
    }
    double c = Double.longBitsToDouble(words[4]);
    if (!(c >= 0 && c <= 1)) throw new IllegalArgumentException("words[4] (current factor) must be in [0, 1], got " + c);
    if (words[5] < 0) throw new IllegalArgumentException("words[5] (observations) must be >= 0, got " + words[5]);
    if (words[6] < 0) throw new IllegalArgumentException("words[6] (reductions) must be >= 0, got " + words[6]);
    best = b;
    badEpochs = words[2];
    cooldownCounter = words[3];
    currentFactor = c;
    observations = words[5];
    reductions = words[6];
  }

  /** Back to the state before any observation. */
  public synchronized void reset() {
    best = worst();
    badEpochs = 0;
    cooldownCounter = 0;
    currentFactor = 1.0;
    observations = 0;
    reductions = 0;
  }

  @Override
  public List<Schedule> parts() {
    return List.of(base);
  }

  public Schedule base() {
    return base;
  }

  public Mode mode() {
    return mode;
  }

  public double factor() {
    return factor;
  }

  public int patience() {
    return patience;
  }

  public double threshold() {
    return threshold;
  }

  public ThresholdMode thresholdMode() {
    return thresholdMode;
  }

  public int cooldown() {
    return cooldown;
  }

  public double minValue() {
    return minValue;
  }

  /** The best metric value so far (±∞ before the first observation). */
  public synchronized double best() {
    return best;
  }

  /** Consecutive observations without improvement, since the last improvement or reduction. */
  public synchronized long badObservations() {
    return badEpochs;
  }

  /** Observations left in the cooldown after the last reduction. */
  public synchronized long cooldownCounter() {
    return cooldownCounter;
  }

  /** c, the product of {@code factor} over the reductions so far. */
  public double currentFactor() {
    return currentFactor;
  }

  public synchronized long observations() {
    return observations;
  }

  public synchronized long reductions() {
    return reductions;
  }

  /** The configuration only (this appears in run records); the state is in {@link #stateWords}. */
  @Override
  public String toString() {
    return "reduceOnPlateau(base=" + base + ", metric=" + metric + ", mode=" + mode + ", factor=" + factor
        + ", patience=" + patience + ", threshold=" + threshold + ", thresholdMode=" + thresholdMode
        + ", cooldown=" + cooldown + ", minValue=" + minValue + ")";
  }

  /** Builds a {@link ReduceOnPlateau}; starts from torch's defaults. */
  public static final class Builder {
    private final Schedule base;
    private final String metric;
    private Mode mode = Mode.MIN;
    private double factor = 0.1;
    private int patience = 10;
    private double threshold = 1e-4;
    private ThresholdMode thresholdMode = ThresholdMode.REL;
    private int cooldown = 0;
    private double minValue = 0;

    private Builder(Schedule base, String metric) {
      this.base = base;
      this.metric = metric;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    public Builder factor(double factor) {
      this.factor = factor;
      return this;
    }

    public Builder patience(int patience) {
      this.patience = patience;
      return this;
    }

    public Builder threshold(double threshold) {
      this.threshold = threshold;
      return this;
    }

    public Builder threshold(double threshold, ThresholdMode thresholdMode) {
      this.threshold = threshold;
      this.thresholdMode = thresholdMode;
      return this;
    }

    public Builder cooldown(int cooldown) {
      this.cooldown = cooldown;
      return this;
    }

    public Builder minValue(double minValue) {
      this.minValue = minValue;
      return this;
    }

    public ReduceOnPlateau build() {
      return new ReduceOnPlateau(base, metric, mode, factor, patience, threshold, thresholdMode, cooldown, minValue);
    }
  }
}
