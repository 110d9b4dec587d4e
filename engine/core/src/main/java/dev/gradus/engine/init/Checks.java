package dev.gradus.engine.init;

import java.util.Arrays;

/** Argument and shape checks shared by the initializers, with messages that name the culprit. */
final class Checks {
  private Checks() {}

  static double finite(String what, double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException(what + " must be finite, got " + v);
    return v;
  }

  static double positive(String what, double v) {
    if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(what + " must be > 0 and finite, got " + v);
    return v;
  }

  /** {@code fan} of an initializer that needs it; layers pass their fans, so ≤ 0 is a caller bug. */
  static int fan(String initializer, String which, int fan) {
    if (fan <= 0) throw new IllegalArgumentException(initializer + " needs " + which + " > 0, got " + fan);
    return fan;
  }

  /** The number of rows (units, {@code shape[0]}) of a parameter viewed as a matrix; rank ≥ 2. */
  static int rows(String initializer, long[] shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException(
          initializer + " initialization is for weight matrices (2 or more dimensions), got shape " + Arrays.toString(shape));
    }
    for (long d : shape) {
      if (d <= 0) throw new IllegalArgumentException(initializer + " needs every dimension > 0, got shape " + Arrays.toString(shape));
    }
    return Math.toIntExact(shape[0]);
  }

  /** The number of columns (inputs per unit) of a parameter viewed as a {@code [shape[0], rest]} matrix. */
  static int cols(long[] shape) {
    return Initializer.count(shape) / Math.toIntExact(shape[0]);
  }
}
