package dev.gradus.engine.nn;

import dev.gradus.engine.tensor.Tensor;

/**
 * A named trainable array. The path ({@code layers.0.weight}) is stable across runs, so it keys
 * checkpoints, optimizer state, parameter groups and transfers between models. Optimizers
 * update {@link #value()} in place.
 */
public final class Parameter {
  private final String path;
  private final Tensor value;
  private boolean trainable;

  public Parameter(String path, Tensor value, boolean trainable) {
    this.path = path;
    this.value = value;
    this.trainable = trainable;
  }

  public String path() {
    return path;
  }

  public Tensor value() {
    return value;
  }

  public boolean trainable() {
    return trainable;
  }

  /** Freezes ({@code false}) or unfreezes the parameter for later steps. */
  public void setTrainable(boolean trainable) {
    this.trainable = trainable;
  }

  @Override
  public String toString() {
    return path + Tensor.shapeString(value.shape()) + (trainable ? "" : " (frozen)");
  }
}
