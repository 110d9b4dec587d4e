package dev.gradus.engine.train;

import dev.gradus.engine.data.Dataset;

/** The training data after the validation examples are held out; {@code validation} is null when none are. */
public record Holdout(Dataset train, Dataset validation) {}
