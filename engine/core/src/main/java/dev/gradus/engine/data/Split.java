package dev.gradus.engine.data;

import java.util.Objects;

/** A train/test pair, kept together so that a loader or generator returns both in one call. */
public record Split(Dataset train, Dataset test) {
  public Split {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }
}
