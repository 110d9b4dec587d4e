package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;
import java.util.Arrays;

/**
 * {@code gain} times the identity matrix, for square weights ({@code torch.nn.init.eye_} restricted
 * to square shapes): a layer that starts by passing its input through, e.g. for the deep linear
 * networks of Saxe et al. (2013) or for the recurrent weights of Le, Jaitly &amp; Hinton (2015).
 * Uses no randomness.
 */
public record Identity(double gain) implements Initializer {
  public Identity {
    Checks.positive("identity gain", gain);
  }

  public Identity() {
    this(1.0);
  }

  @Override
  public String name() {
    return gain == 1.0 ? "identity" : "identity(gain=" + gain + ")";
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    if (shape.length != 2 || shape[0] != shape[1] || shape[0] <= 0) {
      throw new IllegalArgumentException("identity initialization needs a square weight matrix (units = inputs), got shape "
          + Arrays.toString(shape));
    }
    int n = Math.toIntExact(shape[0]);
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) v[i * n + i] = gain;
    return v;
  }
}
