package dev.gradus.engine.init;

import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.random.RandomStream;

/**
 * Any initializer's draws multiplied by {@code gain}: the variance is multiplied by gain². The
 * gain may be a number ({@link #of}), the activation's ({@link #forActivation}, see {@link
 * Gains#forActivation}) or Sussillo &amp; Abbott's random-walk gain for the layer's width ({@link
 * #randomWalk}). Draws the same values from the stream as {@code base}, so {@code Gain.of(b,
 * g)} samples exactly g × what {@code b} samples under the same seed.
 */
public record Gain(Initializer base, double gain) implements Initializer {
  public Gain {
    if (base == null) throw new IllegalArgumentException("gain needs an initializer to scale, got null");
    Checks.positive("gain", gain);
  }

  /** {@code base} times {@code gain}; gains of a {@code Gain} multiply. */
  public static Gain of(Initializer base, double gain) {
    if (base instanceof Gain g) return new Gain(g.base(), g.gain() * Checks.positive("gain", gain));
    return new Gain(base, gain);
  }

  /** {@code base} times the gain of {@code activation} ({@link Gains#forActivation}). */
  public static Gain forActivation(Initializer base, Activation activation) {
    return of(base, Gains.forActivation(activation));
  }

  /** {@code base} times Sussillo &amp; Abbott's gain for width {@code n} ({@link Gains#randomWalk}). */
  public static Gain randomWalk(Initializer base, Activation activation, int n) {
    return of(base, Gains.randomWalk(activation, n));
  }

  @Override
  public String name() {
    return base.name() + "*" + gain;
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double[] v = base.sample(shape, fanIn, fanOut, rng);
    for (int i = 0; i < v.length; i++) v[i] *= gain;
    return v;
  }
}
