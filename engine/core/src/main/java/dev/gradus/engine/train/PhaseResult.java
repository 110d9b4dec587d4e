package dev.gradus.engine.train;

/**
 * How a phase went: its epochs and steps, why it stopped, and the epoch (counted across the
 * run) whose parameters were restored at its end, or 0 when none were.
 */
public record PhaseResult(String name, int epochs, long steps, String stopReason, int restoredEpoch) {}
