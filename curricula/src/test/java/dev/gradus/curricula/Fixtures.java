package dev.gradus.curricula;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.random.RandomStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Synthetic data sets and a scripted {@link EpochContext} for driving curricula without a trainer. */
final class Fixtures {
  private Fixtures() {}

  /** {@code n} one-feature examples (feature = row index), labels alternating 0/1, with the given metadata. */
  static Dataset data(int n, Map<String, double[]> metadata) {
    float[] f = new float[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      f[i] = i;
      y[i] = i % 2;
    }
    return new Dataset("synthetic", f, n, new int[] {1}, y, 2, List.of("a", "b"), new LinkedHashMap<>(metadata));
  }

  static Dataset data(String key, double[] values) {
    return data(values.length, Map.of(key, values));
  }

  /** An EpochContext whose epoch is set by the test and whose losses are scripted per epoch. */
  static final class Scripted implements EpochContext {
    final Dataset train;
    final RandomStream random;
    final IntFunction<double[]> losses;
    int epoch;
    int lossCalls;

    Scripted(Dataset train, long seed, IntFunction<double[]> losses) {
      this.train = train;
      this.random = new RandomStream("data-order", seed);
      this.losses = losses;
    }

    @Override
    public int epoch() {
      return epoch;
    }

    @Override
    public int epochInPhase() {
      return epoch;
    }

    @Override
    public Dataset train() {
      return train;
    }

    @Override
    public RandomStream random() {
      return random;
    }

    @Override
    public double[] exampleLosses() {
      lossCalls++;
      if (losses == null) throw new AssertionError("this curriculum should not read losses");
      return losses.apply(epoch).clone();
    }
  }

  /** The plans of epochs 1..epochs under one scripted context. */
  static List<EpochPlan> run(Curriculum c, Dataset d, int epochs, long seed, IntFunction<double[]> losses) {
    Scripted ctx = new Scripted(d, seed, losses);
    List<EpochPlan> plans = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      ctx.epoch = e;
      plans.add(c.plan(ctx));
    }
    return plans;
  }

  static List<EpochPlan> run(Curriculum c, Dataset d, int epochs, long seed) {
    return run(c, d, epochs, seed, null);
  }

  static int[] sorted(int[] a) {
    int[] s = a.clone();
    Arrays.sort(s);
    return s;
  }

  static int[] range(int from, int to) {
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) r[i] = from + i;
    return r;
  }

  /** Asserts that {@code count} successes of {@code trials} are within 4 binomial σ of probability {@code p}. */
  static void within4Sigma(String what, long count, long trials, double p) {
    double mean = trials * p;
    double sigma = Math.sqrt(trials * p * (1 - p));
    assertTrue(Math.abs(count - mean) <= 4 * sigma + 1e-9,
        what + ": " + count + " of " + trials + ", expected " + mean + " ± 4·" + sigma);
  }

  /** A distinct score per row, in a scrambled order: score of row i is (37·i mod n). */
  static double[] scrambled(int n) {
    double[] s = new double[n];
    for (int i = 0; i < n; i++) s[i] = (37L * i) % n;
    return s;
  }
}
