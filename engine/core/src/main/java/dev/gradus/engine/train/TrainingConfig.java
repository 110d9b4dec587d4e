package dev.gradus.engine.train;

import dev.gradus.engine.tensor.DType;

/**
 * How a {@link Trainer} runs: epochs of minibatch training with an evaluation after each epoch.
 *
 * @param stage name reported in events and errors ("train", "pretrain-1", ...)
 * @param epochs epochs of a single-phase run (a pipeline's phases have their own stopping rules)
 * @param checkGradients check every gradient for NaN/Inf at every step (costs a few native calls)
 * @param validationFraction share of the training data held out (deterministically, from the
 *     {@code validation-split} stream) for decisions: early stopping, plateaus, targets. 0: none.
 *     The test split is only ever reported, never used for a decision.
 * @param evaluateAveraged evaluate on the optimizer's averaged parameters (Polyak, EMA) when it
 *     keeps some
 * @param loss the objective on the model's outputs and the labels (softmax cross-entropy unless
 *     told otherwise)
 */
public record TrainingConfig(
    String stage, int epochs, int batchSize, boolean shuffle, int evalBatchSize, DType dtype, boolean checkGradients,
    double validationFraction, boolean evaluateAveraged, Loss loss) {

  public TrainingConfig {
    if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    if (evalBatchSize <= 0) throw new IllegalArgumentException("evaluation batch size must be > 0, got " + evalBatchSize);
    if (dtype == null || !dtype.isFloating()) throw new IllegalArgumentException("dtype must be FLOAT32 or FLOAT64, got " + dtype);
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
    }
    if (loss == null) throw new IllegalArgumentException("a training configuration needs a loss");
  }

  public TrainingConfig(
      String stage, int epochs, int batchSize, boolean shuffle, int evalBatchSize, DType dtype, boolean checkGradients,
      double validationFraction, boolean evaluateAveraged) {
    this(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, validationFraction, evaluateAveraged,
        Loss.SOFTMAX_CROSS_ENTROPY);
  }

  public TrainingConfig(String stage, int epochs, int batchSize, boolean shuffle, int evalBatchSize, DType dtype, boolean checkGradients) {
    this(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, 0.0, false);
  }

  /** Shuffled minibatches, float32, evaluation in batches of 1000, gradients checked, no validation split. */
  public static TrainingConfig of(int epochs, int batchSize) {
    return new TrainingConfig("train", epochs, batchSize, true, 1000, DType.FLOAT32, true);
  }

  public TrainingConfig withStage(String s) {
    return new TrainingConfig(s, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, validationFraction, evaluateAveraged, loss);
  }

  public TrainingConfig withDtype(DType d) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, d, checkGradients, validationFraction, evaluateAveraged, loss);
  }

  public TrainingConfig withCheckGradients(boolean c) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, c, validationFraction, evaluateAveraged, loss);
  }

  public TrainingConfig withValidationFraction(double f) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, f, evaluateAveraged, loss);
  }

  public TrainingConfig withEvaluateAveraged(boolean a) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, validationFraction, a, loss);
  }

  public TrainingConfig withLoss(Loss l) {
    return new TrainingConfig(stage, epochs, batchSize, shuffle, evalBatchSize, dtype, checkGradients, validationFraction, evaluateAveraged, l);
  }

  public TrainingConfig withEpochs(int e) {
    return new TrainingConfig(stage, e, batchSize, shuffle, evalBatchSize, dtype, checkGradients, validationFraction, evaluateAveraged, loss);
  }
}
