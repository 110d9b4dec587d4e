package dev.gradus.engine.tensor;

/** Element types the engine uses: floating point for values, INT64 for class labels and indices. */
public enum DType {
  FLOAT32,
  FLOAT64,
  INT64;

  public boolean isFloating() {
    return this != INT64;
  }
}
