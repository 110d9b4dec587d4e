package dev.gradus.engine.curriculum;

import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.random.RandomStream;

/** What a {@link Curriculum} may look at when it plans an epoch. */
public interface EpochContext {
  /** The epoch about to run, 1-based, counted over the whole run. */
  int epoch();

  /** The epoch within the current optimizer phase, 1-based. */
  int epochInPhase();

  /** The training examples (after the validation hold-out); plans index its rows. */
  Dataset train();

  /** The stream the curriculum shuffles and samples with (the run's {@code data-order} stream). */
  RandomStream random();

  /**
   * Each training example's loss under the current parameters (self-paced learning ranks by
   * it); computed when first asked in an epoch, in evaluation mode.
   */
  double[] exampleLosses();
}
