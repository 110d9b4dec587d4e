package dev.gradus.engine.nn;

import dev.gradus.engine.tensor.Tensor;

/**
 * A named array of a model. The path ({@code layers.0.weight}) is stable across runs, so it keys
 * checkpoints, optimizer state, parameter groups and transfers between models. Optimizers
 * update {@link #value()} in place.
 *
 * <p>A buffer ({@link #isBuffer()}) is state a layer keeps, like batch normalization's running
 * mean: it is never trainable and optimizers never see it (see {@link ParameterSet#buffers()}).
 */
public final class Parameter {
  private final String path;
  private final Tensor value;
  private final boolean buffer;
  private boolean trainable;

  public Parameter(String path, Tensor value, boolean trainable) {
    this(path, value, trainable, false);
  }

  private Parameter(String path, Tensor value, boolean trainable, boolean buffer) {
    this.path = path;
    this.value = value;
    this.trainable = trainable;
    this.buffer = buffer;
  }

  /** A buffer: layer state that is saved and copied with the parameters but never trained. */
  public static Parameter buffer(String path, Tensor value) {
    return new Parameter(path, value, false, true);
  }

  /** The same kind of entry (parameter or buffer, trainable or not) holding {@code newValue}. */
  public Parameter withValue(Tensor newValue) {
    return new Parameter(path, newValue, trainable, buffer);
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

  public boolean isBuffer() {
    return buffer;
  }

  /** Freezes ({@code false}) or unfreezes the parameter for later steps. */
  public void setTrainable(boolean trainable) {
    if (buffer && trainable) throw new IllegalArgumentException(path + " is a buffer (layer state), not a trainable parameter");
    this.trainable = trainable;
  }

  @Override
  public String toString() {
    return path + Tensor.shapeString(value.shape()) + (buffer ? " (buffer)" : trainable ? "" : " (frozen)");
  }
}
