package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.schedule.Schedule;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Curriculum by pacing (Bengio et al. 2009, "Curriculum learning"; Hacohen &amp; Weinshall 2019):
 * rank the training set by difficulty, and at epoch {@code t} (0-based) train on the first
 * {@code ⌈pacing(t)·n⌉} rows of the ranking, shuffled. The pacing decides how fast harder examples
 * arrive; the {@link Order} decides which end of the ranking comes first, so the same class gives
 * the curriculum, the anti-curriculum and the random-order control of Hacohen &amp; Weinshall's
 * comparison with every other choice held equal.
 *
 * <p>Ranking: by score, ties by row index; computed on the first plan and kept. Metrics:
 * {@code share}, {@code meanDifficulty}, {@code pacing} (the schedule's value).
 */
public final class Paced implements Curriculum {
  /** Which end of the difficulty ranking the pacing starts from. */
  public enum Order {
    /** Easiest first: curriculum learning. */
    EASY_FIRST,
    /** Hardest first: the anti-curriculum. */
    HARD_FIRST,
    /**
     * A random ranking drawn from {@code context.random()} at the first epoch and kept, with the
     * same pacing: isolates the effect of the pacing (a growing subset) from that of the order.
     */
    RANDOM
  }

  private final Plans.CachedScores scores;
  private final Schedule pacing;
  private final Order order;
  private int[] ranking;

  public Paced(Difficulty difficulty, Schedule pacing, Order order) {
    this.scores = new Plans.CachedScores(difficulty);
    this.pacing = Objects.requireNonNull(pacing, "pacing");
    this.order = Objects.requireNonNull(order, "order");
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || ranking == null) {
      int[] easy = Plans.rankEasyFirst(scores.scores());
      ranking = switch (order) {
        case EASY_FIRST -> easy;
        case HARD_FIRST -> reversed(easy);
        case RANDOM -> c.random().permutation(n);
      };
    }
    double share = Plans.share(pacing, c);
    int k = Plans.count(share, n);
    int[] rows = Plans.shuffle(Arrays.copyOf(ranking, k), c.random());
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("pacing", share);
    return new EpochPlan(rows, null, m);
  }

  private static int[] reversed(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
    return r;
  }

  @Override
  public String describe() {
    return "paced(" + scores.difficulty().describe() + ", " + pacing + ", " + order + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
