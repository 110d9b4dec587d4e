package dev.gradus.engine.tensor;

/** Result of {@link Backend#softmaxCrossEntropy}: the mean loss (0-d) and the row log-softmax, which the backward needs. */
public record SoftmaxCrossEntropy(Tensor loss, Tensor logProbabilities) {}
