package dev.gradus.engine.diagnostics;

/**
 * Signal-propagation statistics of one model layer on one batch, as measured by
 * {@link SignalPropagation#measure}.
 *
 * @param index layer index i (parameters {@code layers.i.*})
 * @param kind the layer kind, e.g. {@code "dense+tanh"}
 * @param activationMean mean of the layer's output over all units and examples
 * @param activationStd population standard deviation of the layer's output over all units and
 *     examples
 * @param saturationFraction for tanh and softsign: fraction of outputs with {@code |a| > 0.9}
 *     ({@link SignalPropagation#SATURATION_THRESHOLD}); sigmoid: fraction with {@code a < 0.1} or
 *     {@code a > 0.9}; ReLU: fraction of units that are dead (exactly zero) on every example of
 *     the batch; NaN for identity and softplus (no saturation defined)
 * @param backpropGradientStd population standard deviation of dL/d(layer output) over all units and
 *     examples, L the mean softmax cross-entropy of the batch
 * @param weightGradientNorm Frobenius norm of dL/d(layers.i.weight); NaN for a layer without weight
 * @param meanJacobianSingularValue mean singular value of the layer's input-output Jacobian
 *     diag(f'(z))·W (or diag(f'(z)) for an activation-only layer), averaged over the first
 *     examples of the batch; NaN when not measured
 * @param preActivationGradientStd population standard deviation of dL/dz for the layer's
 *     pre-activation z (Glorot &amp; Bengio's back-propagated gradient), for a dense layer with a
 *     fused non-identity activation; NaN otherwise
 */
public record LayerStatistics(
    int index,
    String kind,
    double activationMean,
    double activationStd,
    double saturationFraction,
    double backpropGradientStd,
    double weightGradientNorm,
    double meanJacobianSingularValue,
    double preActivationGradientStd) {

  /** Variance of the back-propagated gradient, {@code backpropGradientStd²}. */
  public double backpropGradientVariance() {
    return backpropGradientStd * backpropGradientStd;
  }
}
