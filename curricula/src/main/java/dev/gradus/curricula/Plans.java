package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.data.Dataset;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.schedule.Schedule;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/** Helpers the strategies share: cached scores, rankings, shuffles and the common metrics. */
final class Plans {
  private Plans() {}

  /**
   * A difficulty's scores, computed on the first plan and cached: the training set does not
   * change during a run, and scoring (a teacher's forward passes) can cost as much as an epoch.
   * A curriculum reused on another training set object scores that one afresh.
   */
  static final class CachedScores {
    private final Difficulty difficulty;
    private Dataset scoredFor;
    private double[] scores;

    CachedScores(Difficulty difficulty) {
      this.difficulty = Objects.requireNonNull(difficulty, "difficulty");
    }

    Difficulty difficulty() {
      return difficulty;
    }

    /** True when this call computed the scores (first plan, or a new training set). */
    boolean refresh(Dataset train) {
      if (scoredFor == train && scores != null) return false;
      double[] s = difficulty.scores(train);
      if (s == null || s.length != train.size()) {
        throw new IllegalStateException("difficulty " + difficulty.describe() + " gave " + (s == null ? "null" : s.length + " scores")
            + " for data set '" + train.name() + "' of " + train.size() + " rows");
      }
      for (int i = 0; i < s.length; i++) {
        if (!Double.isFinite(s[i])) throw new IllegalStateException("difficulty " + difficulty.describe() + " gave " + s[i] + " for row " + i);
      }
      scores = s;
      scoredFor = train;
      return true;
    }

    double[] scores() {
      return scores;
    }
  }

  /** Rows from easiest to hardest: by score, ties by row index (so the ranking is deterministic). */
  static int[] rankEasyFirst(double[] scores) {
    return IntStream.range(0, scores.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
  }

  /** The epoch index a pacing is evaluated at: 0-based over the whole run. */
  static long epochIndex(EpochContext c) {
    return c.epoch() - 1L;
  }

  /** A pacing's value at this epoch, checked to lie in (0, 1]. */
  static double share(Schedule pacing, EpochContext c) {
    double v = pacing.at(epochIndex(c));
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException("pacing " + pacing + " gave " + v + " at epoch " + c.epoch() + "; a share must be in (0, 1]");
    }
    return v;
  }

  /**
   * {@code ⌈share·n⌉} clamped to [1, n]. The product is rounded to 1e-9 first, so that
   * 0.3·100 = 30.000000000000004 takes 30 rows, not 31.
   */
  static int count(double share, int n) {
    double x = share * n;
    double r = Math.rint(x);
    int k = Math.abs(x - r) < 1e-9 ? (int) r : (int) Math.ceil(x);
    return Math.max(1, Math.min(n, k));
  }

  /** {@code rows} in a uniformly random order from {@code rng} (a new array). */
  static int[] shuffle(int[] rows, RandomStream rng) {
    int[] p = rng.permutation(rows.length);
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) out[i] = rows[p[i]];
    return out;
  }

  /** Metrics every strategy records: {@code share} (distinct rows / n) and {@code meanDifficulty}. */
  static Map<String, Double> metrics(int[] order, double[] difficulty, int n) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("share", distinct(order, n) / (double) n);
    double sum = 0;
    for (int r : order) sum += difficulty[r];
    m.put("meanDifficulty", sum / order.length);
    return m;
  }

  static int distinct(int[] order, int n) {
    boolean[] seen = new boolean[n];
    int d = 0;
    for (int r : order) {
      if (!seen[r]) {
        seen[r] = true;
        d++;
      }
    }
    return d;
  }

  /**
   * Integer levels from scores: checks each score is a whole number in [lo, ∞) and returns the
   * rows of each level {@code lo..max}; every level in that range must have rows.
   */
  static int[][] groupsByInteger(double[] scores, int lo, String what, String difficulty) {
    int max = lo;
    for (int i = 0; i < scores.length; i++) {
      double s = scores[i];
      if (s != Math.rint(s) || s < lo || s > 1_000_000) {
        throw new IllegalArgumentException(what + " must be whole numbers >= " + lo + " from difficulty " + difficulty + ", but row " + i + " has " + s);
      }
      max = Math.max(max, (int) s);
    }
    int[] counts = new int[max - lo + 1];
    for (double s : scores) counts[(int) s - lo]++;
    for (int l = 0; l < counts.length; l++) {
      if (counts[l] == 0) {
        throw new IllegalArgumentException(what + " " + (l + lo) + " has no rows (difficulty " + difficulty + "; " + what + " " + lo + ".." + max
            + " must all occur; counts " + Arrays.toString(counts) + ")");
      }
    }
    int[][] groups = new int[counts.length][];
    int[] fill = new int[counts.length];
    for (int l = 0; l < counts.length; l++) groups[l] = new int[counts[l]];
    for (int i = 0; i < scores.length; i++) {
      int l = (int) scores[i] - lo;
      groups[l][fill[l]++] = i;
    }
    return groups;
  }

  static int positive(String name, int v) {
    if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    return v;
  }

  static int nonNegative(String name, int v) {
    if (v < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + v);
    return v;
  }
}
