package dev.gradus.engine.checkpoint;

import java.io.UncheckedIOException;

/** Where a trainer hands its checkpoints (a {@link CheckpointStore}, a test's list). */
public interface CheckpointSink {
  /**
   * Whether to save after this epoch (counted across the stage); building a checkpoint copies
   * every parameter, so a sink that keeps only some says so here. Checkpoints at the start of a
   * batch-method phase are always offered.
   */
  default boolean wantsEpoch(int epoch) {
    return true;
  }

  /** Keeps {@code checkpoint}; an I/O failure ends the run (a run that cannot be resumed should not pretend it can). */
  void save(Checkpoint checkpoint) throws UncheckedIOException;
}
