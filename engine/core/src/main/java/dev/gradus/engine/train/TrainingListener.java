package dev.gradus.engine.train;

/** Receives a training run's events; every method defaults to doing nothing. */
public interface TrainingListener {
  default void onPhaseStart(String phase, int index, String stoppingRule) {}

  default void onStep(StepEvent event) {}

  default void onEpoch(EpochMetrics metrics) {}

  default void onPhaseEnd(PhaseResult result) {}

  default void onEnd(TrainingResult result) {}
}
