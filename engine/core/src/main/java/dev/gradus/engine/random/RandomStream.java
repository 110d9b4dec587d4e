package dev.gradus.engine.random;

import java.util.Arrays;

/**
 * A deterministic pseudo-random stream (xoshiro256**, seeded through SplitMix64).
 *
 * <p>Why our own generator: its whole state is four longs that {@link #state()} exposes and
 * {@link #restore(long[])} sets back, so checkpoints can resume a stream exactly, and the
 * sequence is the same on every JVM and backend. Not thread-safe: one stream per consumer.
 */
public final class RandomStream {
  private final String name;
  private long s0, s1, s2, s3;
  /** A second standard normal from the last Box–Muller pair, or NaN when none is pending. */
  private double spareGaussian = Double.NaN;

  /**
   * A stream whose draws depend on {@code seed} alone: {@code name} is a label for messages and
   * checkpoints. Two streams built with one seed and different names give the same draws; for
   * independent streams from one seed use {@code new RandomStreams(seed).stream(name)}, which
   * derives each stream's seed from its name.
   */
  public RandomStream(String name, long seed) {
    this.name = name;
    long x = seed;
    long[] s = new long[4];
    for (int i = 0; i < 4; i++) {
      x += 0x9E3779B97F4A7C15L;
      long z = x;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      s[i] = z ^ (z >>> 31);
    }
    s0 = s[0]; s1 = s[1]; s2 = s[2]; s3 = s[3];
  }

  public String name() {
    return name;
  }

  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Uniform integer in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be > 0, got " + bound);
    while (true) {
      long r = nextLong() >>> 1;
      long rem = r % bound;
      // reject r in the incomplete last block of size bound (r - rem + bound - 1 overflows there)
      if (r - rem + (bound - 1) >= 0) return (int) rem;
    }
  }

  public boolean nextBoolean(double probabilityTrue) {
    return nextDouble() < probabilityTrue;
  }

  /** Standard normal by the Box–Muller transform (both values of a pair are used). */
  public double nextGaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double g = spareGaussian;
      spareGaussian = Double.NaN;
      return g;
    }
    double u1;
    do {
      u1 = nextDouble();
    } while (u1 == 0.0);
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    spareGaussian = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  public double gaussian(double mean, double std) {
    return mean + std * nextGaussian();
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The full generator state: four xoshiro words and the pending Gaussian's bits. */
  public long[] state() {
    return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian)};
  }

  public void restore(long[] state) {
    if (state.length != 5) throw new IllegalArgumentException("RandomStream state has 5 words, got " + state.length);
    s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3];
    spareGaussian = Double.longBitsToDouble(state[4]);
  }

  @Override
  public String toString() {
    return "RandomStream(" + name + ", state=" + Arrays.toString(state()) + ")";
  }
}
