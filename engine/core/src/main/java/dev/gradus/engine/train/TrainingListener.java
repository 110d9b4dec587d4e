package dev.gradus.engine.train;

/** Receives a training run's events; every method defaults to doing nothing. */
public interface TrainingListener {
  default void onStep(StepEvent event) {}

  default void onEpoch(EpochMetrics metrics) {}

  default void onEnd(TrainingResult result) {}
}
