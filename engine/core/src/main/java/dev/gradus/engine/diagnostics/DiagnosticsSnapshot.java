package dev.gradus.engine.diagnostics;

import java.util.List;

/**
 * The signal-propagation statistics of every layer at one point of a training run, as
 * {@link DiagnosticsMonitor} measured them on its probe batch.
 *
 * @param epoch the epoch just finished (counted from 1 across the whole run); 0 at initialization,
 *     before the first step
 * @param step optimizer steps taken so far (0 at initialization)
 * @param phase the optimizer phase the epoch belongs to (the first phase for epoch 0)
 * @param layers one entry per model layer, in order
 */
public record DiagnosticsSnapshot(int epoch, long step, String phase, List<LayerStatistics> layers) {
  public DiagnosticsSnapshot {
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    layers = List.copyOf(layers);
  }
}
