package dev.gradus.engine.continuation;

import dev.gradus.engine.schedule.Schedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A continuation method (Deep Learning §8.7.6): a sequence of objectives, easier first, that
 * ends at the real one. Each ingredient's amount is a {@link Schedule} of the epoch (0-based),
 * annealed towards "off":
 *
 * <ul>
 *   <li>Gaussian smoothing: {@code J⁽ⁱ⁾(θ) = E_{θ'~N(θ, σᵢ²I)} J(θ')}, estimated with K samples
 *       per step (the gradient estimator is unbiased for J_σ), σ annealed to 0;
 *   <li>parameter noise (simulated-annealing style), its std annealed to 0;
 *   <li>label smoothing, ε annealed to 0;
 *   <li>softmax temperature, annealed to 1.
 * </ul>
 *
 * A null schedule leaves its ingredient off. Randomness comes from the run's
 * {@code continuation} stream.
 */
public record Continuation(Schedule smoothingSigma, int smoothingSamples, Schedule labelSmoothing, Schedule temperature,
    Schedule parameterNoise) {
  public Continuation {
    if (smoothingSamples < 1) throw new IllegalArgumentException("smoothing samples must be >= 1, got " + smoothingSamples);
  }

  /** No continuation. */
  public static Continuation none() {
    return new Continuation(null, 1, null, null, null);
  }

  public Continuation withGaussianSmoothing(Schedule sigma, int samples) {
    return new Continuation(sigma, samples, labelSmoothing, temperature, parameterNoise);
  }

  public Continuation withLabelSmoothing(Schedule epsilon) {
    return new Continuation(smoothingSigma, smoothingSamples, epsilon, temperature, parameterNoise);
  }

  public Continuation withTemperature(Schedule t) {
    return new Continuation(smoothingSigma, smoothingSamples, labelSmoothing, t, parameterNoise);
  }

  public Continuation withParameterNoise(Schedule std) {
    return new Continuation(smoothingSigma, smoothingSamples, labelSmoothing, temperature, std);
  }

  /** The settings at {@code epoch} (0-based); an error names the ingredient whose schedule left its range. */
  public ObjectiveSettings at(int epoch) {
    double sigma = value(smoothingSigma, epoch, 0, "gaussian smoothing sigma");
    double eps = value(labelSmoothing, epoch, 0, "label smoothing");
    double t = value(temperature, epoch, 1, "temperature");
    double noise = value(parameterNoise, epoch, 0, "parameter noise");
    try {
      return new ObjectiveSettings(sigma, smoothingSamples, eps, t, noise);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("continuation at epoch " + (epoch + 1) + ": " + e.getMessage(), e);
    }
  }

  /** The amounts at {@code epoch} by name, for the epoch's metrics (only the ingredients in use). */
  public Map<String, Double> describe(int epoch) {
    ObjectiveSettings s = at(epoch);
    Map<String, Double> out = new LinkedHashMap<>();
    if (smoothingSigma != null) out.put("continuation.sigma", s.smoothingSigma());
    if (labelSmoothing != null) out.put("continuation.labelSmoothing", s.labelSmoothing());
    if (temperature != null) out.put("continuation.temperature", s.temperature());
    if (parameterNoise != null) out.put("continuation.parameterNoise", s.parameterNoise());
    return out;
  }

  private static double value(Schedule s, int epoch, double off, String what) {
    return s == null ? off : s.at(epoch);
  }
}
