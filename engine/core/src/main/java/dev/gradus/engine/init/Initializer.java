package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;

/**
 * Draws a parameter's initial values. Values are drawn in Java from an explicit stream, so a seed
 * gives the same model on every backend and device.
 */
public interface Initializer {
  /** A short name for records and messages ("glorot-uniform", "zeros"). */
  String name();

  /**
   * Row-major values for a parameter of {@code shape}. {@code fanIn} and {@code fanOut} are the
   * numbers of inputs and outputs of the units the parameter belongs to.
   */
  double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng);

  static int count(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return Math.toIntExact(n);
  }
}
