package dev.gradus.engine.train;

/**
 * When an optimizer phase ends. Checked after every epoch (and, for step budgets, after every
 * step). Metric-driven rules read only training or validation metrics (see
 * {@link EpochMetrics#metric}) and carry a cap on epochs so that a target never reached still
 * ends. A rule holds per-phase state: make a fresh one for each run.
 */
public interface StoppingRule {
  /** Whether to stop after this epoch; {@code epochInPhase} counts from 1. */
  boolean stopAfterEpoch(EpochMetrics m, int epochInPhase);

  /** Whether to stop after this step; {@code stepInPhase} counts from 1. */
  default boolean stopAfterStep(long stepInPhase) {
    return false;
  }

  /** The metric this rule reads, or null (checked against the configuration before training). */
  default String metric() {
    return null;
  }

  /** Whether the epoch just passed is the best so far (for restoring the best parameters). */
  default boolean isBest(EpochMetrics m) {
    return false;
  }

  /** Whether the parameters of the best epoch are restored when the phase ends. */
  default boolean restoresBest() {
    return false;
  }

  /** Why it stopped, for records ("10 epochs", "validation.loss did not improve for 3 epochs"). */
  String describe();

  static StoppingRule epochs(int n) {
    return new StoppingRules.Epochs(n);
  }

  static StoppingRule steps(long n) {
    return new StoppingRules.Steps(n);
  }

  /** Stops once {@code metric} reaches {@code value} (≥ for accuracies, ≤ for losses), or after {@code maxEpochs}. */
  static StoppingRule target(String metric, double value, int maxEpochs) {
    return new StoppingRules.Target(metric, value, maxEpochs);
  }

  /** Stops when {@code metric} has not improved by more than {@code minDelta} for {@code patience} epochs. */
  static StoppingRule plateau(String metric, int patience, double minDelta, int maxEpochs) {
    return new StoppingRules.Plateau(metric, patience, minDelta, maxEpochs, false);
  }

  /** A plateau on a validation metric that restores the parameters of the best epoch. */
  static StoppingRule earlyStopping(String metric, int patience, double minDelta, int maxEpochs) {
    if (!metric.startsWith("validation.")) {
      throw new IllegalArgumentException("early stopping watches a validation metric, not '" + metric + "'");
    }
    return new StoppingRules.Plateau(metric, patience, minDelta, maxEpochs, true);
  }
}
