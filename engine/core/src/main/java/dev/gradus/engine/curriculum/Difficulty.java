package dev.gradus.engine.curriculum;

import dev.gradus.engine.data.Dataset;

/**
 * A difficulty score per training example, higher meaning harder: from metadata (the Shapeset
 * family, the number of digits), from a function of the example, or from a teacher (the loss of
 * a recorded run's model). Scores are computed once, before training; the learner's own current
 * loss (self-paced learning) is read per epoch from {@link EpochContext#exampleLosses()} instead.
 */
public interface Difficulty {
  /** One score per row of {@code train}. */
  double[] scores(Dataset train);

  /** One line for logs and records. */
  String describe();
}
