package dev.gradus.engine.train;

/**
 * How a phase went: its epochs and steps, why it stopped, and the epoch (counted across the
 * stage) whose parameters were restored at its end, or 0 when none were; {@code stage} names the
 * stage it belongs to ("train", "pretrain-2").
 */
public record PhaseResult(String name, int epochs, long steps, String stopReason, int restoredEpoch, String stage) {
  /** A phase of the stage "train". */
  public PhaseResult(String name, int epochs, long steps, String stopReason, int restoredEpoch) {
    this(name, epochs, steps, stopReason, restoredEpoch, "train");
  }
}
