package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import java.util.Arrays;
import java.util.Map;

/**
 * Baby steps (Bengio et al. 2009's staged curriculum; Spitkovsky et al. 2010, "From baby steps to
 * leapfrog"; Cirik et al. 2016): the ranked training set is cut into {@code buckets} equal buckets
 * (bucket {@code b} holds ranks {@code ⌊b·n/B⌋ .. ⌊(b+1)·n/B⌋−1}), and epoch {@code e} (1-based)
 * trains on buckets {@code 0..min(B−1, ⌊(e−1)/epochsPerBucket⌋)} together, shuffled: each new
 * bucket is added to, not swapped for, the old ones, so earlier skills are not forgotten.
 *
 * <p>Metrics: {@code share}, {@code meanDifficulty}, {@code bucket} (the newest, 0-based).
 */
public final class BabySteps implements Curriculum {
  private final Plans.CachedScores scores;
  private final int buckets;
  private final int epochsPerBucket;
  private int[] ranking;

  public BabySteps(Difficulty difficulty, int buckets, int epochsPerBucket) {
    this.scores = new Plans.CachedScores(difficulty);
    this.buckets = Plans.positive("buckets", buckets);
    this.epochsPerBucket = Plans.positive("epochsPerBucket", epochsPerBucket);
  }

  /** The first rank after bucket {@code b} (exclusive end) for {@code n} rows. */
  public int bucketEnd(int b, int n) {
    return (int) ((long) (b + 1) * n / buckets);
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (buckets > n) throw new IllegalArgumentException("buckets = " + buckets + " exceeds the " + n + " training rows");
    if (scores.refresh(c.train()) || ranking == null) ranking = Plans.rankEasyFirst(scores.scores());
    int bucket = Math.min(buckets - 1, (c.epoch() - 1) / epochsPerBucket);
    int[] rows = Plans.shuffle(Arrays.copyOf(ranking, bucketEnd(bucket, n)), c.random());
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("bucket", (double) bucket);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "babySteps(" + scores.difficulty().describe() + ", buckets=" + buckets + ", epochsPerBucket=" + epochsPerBucket + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
