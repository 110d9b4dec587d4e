package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.schedule.Schedule;
import java.util.Map;
import java.util.Objects;

/**
 * Curriculum as reweighting (Bengio et al. 2009, §2: a curriculum is a sequence of training
 * distributions, obtained by reweighting examples, with weights that grow until all are 1): every
 * epoch uses every row, shuffled; the easiest {@code ⌈pacing(t)·n⌉} rows have weight 1 and the rest
 * {@code hardWeight}. Unlike {@link Paced}, hard examples are never dropped, only discounted, so
 * {@code hardWeight = 0} is pacing by weights and {@code hardWeight = 1} is no curriculum.
 *
 * <p>Metrics: {@code share} (always 1: every row is in the plan), {@code meanDifficulty} (over all
 * rows), {@code easyShare} (the fraction at weight 1), {@code weightedMeanDifficulty}.
 */
public final class Reweighting implements Curriculum {
  private final Plans.CachedScores scores;
  private final Schedule pacing;
  private final double hardWeight;
  private int[] ranking;

  public Reweighting(Difficulty difficulty, Schedule pacing, double hardWeight) {
    this.scores = new Plans.CachedScores(difficulty);
    this.pacing = Objects.requireNonNull(pacing, "pacing");
    if (!(hardWeight >= 0 && hardWeight <= 1)) throw new IllegalArgumentException("hardWeight must be in [0, 1], got " + hardWeight);
    this.hardWeight = hardWeight;
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || ranking == null) ranking = Plans.rankEasyFirst(scores.scores());
    double share = Plans.share(pacing, c);
    int k = Plans.count(share, n);
    double[] w = new double[n];
    for (int i = 0; i < n; i++) w[ranking[i]] = i < k ? 1.0 : hardWeight;
    int[] rows = c.random().permutation(n);
    double[] s = scores.scores();
    Map<String, Double> m = Plans.metrics(rows, s, n);
    double ws = 0, wt = 0;
    for (int i = 0; i < n; i++) {
      ws += w[i] * s[i];
      wt += w[i];
    }
    m.put("easyShare", k / (double) n);
    m.put("weightedMeanDifficulty", ws / wt);
    return new EpochPlan(rows, w, m);
  }

  @Override
  public String describe() {
    return "reweighting(" + scores.difficulty().describe() + ", " + pacing + ", hardWeight=" + hardWeight + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
