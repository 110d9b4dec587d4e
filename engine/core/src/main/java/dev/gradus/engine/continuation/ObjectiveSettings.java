package dev.gradus.engine.continuation;

/**
 * How one training step shapes its objective: the values a {@link Continuation}'s schedules
 * give at the current epoch. {@link #PLAIN} changes nothing.
 *
 * @param smoothingSigma std of the Gaussian perturbation of the parameters whose expected loss
 *     is minimized ({@code J_σ(θ) = E_{θ'~N(θ, σ²I)} J(θ')}); 0: none
 * @param smoothingSamples perturbations averaged per step (K) when {@code smoothingSigma > 0}
 * @param labelSmoothing ε of the targets {@code (1 − ε)·onehot + ε/K}
 * @param temperature the outputs are divided by it before the loss
 * @param parameterNoise std of Gaussian noise added to every trainable parameter after the update
 */
public record ObjectiveSettings(double smoothingSigma, int smoothingSamples, double labelSmoothing, double temperature, double parameterNoise) {
  public static final ObjectiveSettings PLAIN = new ObjectiveSettings(0, 1, 0, 1, 0);

  public ObjectiveSettings {
    if (!(smoothingSigma >= 0) || !Double.isFinite(smoothingSigma)) throw new IllegalArgumentException("smoothing sigma must be >= 0 and finite, got " + smoothingSigma);
    if (smoothingSamples < 1) throw new IllegalArgumentException("smoothing samples must be >= 1, got " + smoothingSamples);
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
    if (!(temperature > 0) || !Double.isFinite(temperature)) throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
    if (!(parameterNoise >= 0) || !Double.isFinite(parameterNoise)) throw new IllegalArgumentException("parameter noise must be >= 0 and finite, got " + parameterNoise);
  }

  public boolean isPlain() {
    return smoothingSigma == 0 && labelSmoothing == 0 && temperature == 1 && parameterNoise == 0;
  }
}
