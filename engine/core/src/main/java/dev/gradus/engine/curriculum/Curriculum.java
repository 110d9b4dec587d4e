package dev.gradus.engine.curriculum;

/**
 * Decides, before each epoch, which training examples the epoch uses, in which order, and with
 * which loss weights (Deep Learning §8.7.5): a difficulty measure, a pacing and a sampling or
 * reweighting strategy, in the shape curriculum libraries have converged on. A curriculum may
 * keep state across epochs (self-paced λ, a bandit's estimates); the trainer calls
 * {@link #plan} once per epoch, in order.
 */
public interface Curriculum {
  EpochPlan plan(EpochContext context);

  /** One line for logs and records. */
  String describe();
}
