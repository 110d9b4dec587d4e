package dev.gradus.engine.train;

/** Mean loss and accuracy over a data set. */
public record Evaluation(double loss, double accuracy, int examples) {}
