package dev.gradus.engine.train;

import java.util.List;

/** Per-epoch metrics of a finished run, its phases, and the number of optimizer steps taken. */
public record TrainingResult(List<EpochMetrics> epochs, long steps, List<PhaseResult> phases) {
  public EpochMetrics last() {
    if (epochs.isEmpty()) throw new IllegalStateException("no epoch was run");
    return epochs.get(epochs.size() - 1);
  }
}
