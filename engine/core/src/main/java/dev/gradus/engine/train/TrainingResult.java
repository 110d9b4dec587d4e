package dev.gradus.engine.train;

import java.util.List;

/** Per-epoch metrics of a finished run and the number of optimizer steps taken. */
public record TrainingResult(List<EpochMetrics> epochs, long steps) {
  public EpochMetrics last() {
    if (epochs.isEmpty()) throw new IllegalStateException("no epoch was run");
    return epochs.get(epochs.size() - 1);
  }
}
