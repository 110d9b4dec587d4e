package dev.gradus.engine.checkpoint;

import java.io.IOException;

/** A checkpoint file that cannot be read back: cut short, damaged, of another version, or not a checkpoint. */
public final class CorruptCheckpointException extends IOException {
  public CorruptCheckpointException(String message) {
    super(message);
  }

  public CorruptCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
