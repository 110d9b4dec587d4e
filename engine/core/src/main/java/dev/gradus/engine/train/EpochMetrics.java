package dev.gradus.engine.train;

/**
 * What one epoch measured. {@code trainLoss} is the mean of the minibatch losses seen during
 * the epoch (while the parameters moved); the test figures use the parameters at its end.
 */
public record EpochMetrics(
    String stage, int epoch, long steps, double trainLoss, double testLoss, double testAccuracy,
    double seconds, double samplesPerSecond) {}
