package dev.gradus.curricula;

/**
 * A difficulty score computed from one example alone, higher meaning harder (e.g. the number of
 * foreground pixels, the length of a sentence). Used by {@link Difficulties#of}.
 */
@FunctionalInterface
public interface ExampleScore {
  /**
   * @param features the example's features, a fresh copy (row-major in its example shape)
   * @param label its class label
   */
  double score(float[] features, int label);
}
