package dev.gradus.engine.schedule;

/** Argument checks shared by the schedules; every message names the offending argument. */
final class Check {
  private Check() {}

  static long step(long step) {
    if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    return step;
  }

  static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite, got " + value);
    }
    return value;
  }

  static double nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
    return value;
  }

  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
    return value;
  }

  static long atLeast(String name, long value, long min) {
    if (value < min) throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    return value;
  }

  static <T> T notNull(String name, T value) {
    if (value == null) throw new IllegalArgumentException(name + " must not be null");
    return value;
  }
}
