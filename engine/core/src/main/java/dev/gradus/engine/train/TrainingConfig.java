package dev.gradus.engine.train;

import dev.gradus.engine.tensor.DType;

/**
 * How a {@link Trainer} runs: epochs of minibatch SGD-style training with an evaluation on the
 * test split after each epoch.
 *
 * @param stage name reported in events and errors ("train", "pretrain-1", ...)
 * @param checkGradients check every gradient for NaN/Inf at every step (costs a few native calls)
 */
public record TrainingConfig(
    String stage, int epochs, int batchSize, boolean shuffle, int evalBatchSize, DType dtype, boolean checkGradients) {

  public TrainingConfig {
    if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    if (evalBatchSize <= 0) throw new IllegalArgumentException("evaluation batch size must be > 0, got " + evalBatchSize);
    if (dtype == null || !dtype.isFloating()) throw new IllegalArgumentException("dtype must be FLOAT32 or FLOAT64, got " + dtype);
  }

  /** Shuffled minibatches, float32, evaluation in batches of 1000, gradients checked. */
  public static TrainingConfig of(int epochs, int batchSize) {
    return new TrainingConfig("train", epochs, batchSize, true, 1000, DType.FLOAT32, true);
  }

  public TrainingConfig withStage(String s) {
    return new TrainingConfig(s, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients);
  }

  public TrainingConfig withDtype(DType d) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, d, checkGradients);
  }

  public TrainingConfig withCheckGradients(boolean c) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, c);
  }
}
