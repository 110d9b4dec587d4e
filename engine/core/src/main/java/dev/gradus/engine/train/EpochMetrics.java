package dev.gradus.engine.train;

import java.util.Map;

/**
 * What one epoch measured. {@code trainLoss} is the mean of the minibatch losses seen during
 * the epoch (while the parameters moved); validation and test figures use the parameters at its
 * end (the averaged ones when the run evaluates averages). Validation figures are NaN when the
 * run holds out no validation data.
 *
 * @param phase the optimizer phase this epoch belongs to
 * @param epoch counted from 1 across the whole run
 * @param hyperparameters the optimizer's hyperparameters in force at the end of the epoch
 */
public record EpochMetrics(
    String stage, int epoch, long steps, double trainLoss, double testLoss, double testAccuracy,
    double seconds, double samplesPerSecond, String phase, double validationLoss, double validationAccuracy,
    int batchSize, Map<String, Double> hyperparameters) {

  public EpochMetrics {
    hyperparameters = Map.copyOf(hyperparameters);
  }

  /**
   * A metric by name for decisions: {@code train.loss}, {@code validation.loss},
   * {@code validation.accuracy}. Test metrics are refused: deciding on the test split would leak it.
   */
  public double metric(String name) {
    return switch (name) {
      case "train.loss" -> trainLoss;
      case "validation.loss" -> validationLoss;
      case "validation.accuracy" -> validationAccuracy;
      default -> throw new IllegalArgumentException(unknownMetric(name));
    };
  }

  static String unknownMetric(String name) {
    if (name.startsWith("test.")) {
      return "'" + name + "' cannot drive a decision: the test split is only reported; hold out a validation split"
          + " and use validation.loss or validation.accuracy";
    }
    return "unknown metric '" + name + "'; known: train.loss, validation.loss, validation.accuracy";
  }

  /** Checks a metric name without a value at hand. */
  public static void checkMetricName(String name) {
    if (!name.equals("train.loss") && !name.equals("validation.loss") && !name.equals("validation.accuracy")) {
      throw new IllegalArgumentException(unknownMetric(name));
    }
  }

  /** Whether larger is better for this metric (accuracies) or smaller (losses). */
  public static boolean higherIsBetter(String name) {
    return name.endsWith("accuracy");
  }
}
