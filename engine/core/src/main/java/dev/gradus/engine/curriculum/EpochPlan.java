package dev.gradus.engine.curriculum;

import java.util.Map;

/**
 * One epoch of a curriculum.
 *
 * @param order rows of the training set in the order they are trained on, cut into minibatches
 *     as they come (the plan does its own shuffling); a row may appear more than once
 * @param weights per training-set row, the weight of its loss (null: all 1); the minibatch loss
 *     is the weighted mean
 * @param metrics what the epoch's records show, e.g. {@code share} (fraction of the data in use)
 *     and {@code meanDifficulty} (of the examples in {@code order}); the trainer prefixes
 *     {@code curriculum.}
 */
public record EpochPlan(int[] order, double[] weights, Map<String, Double> metrics) {
  public EpochPlan {
    if (order == null || order.length == 0) throw new IllegalArgumentException("an epoch plan needs at least one example");
    metrics = Map.copyOf(metrics);
  }
}
