package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.schedule.Schedule;
import java.util.Map;
import java.util.Objects;

/**
 * The curriculum strategies of Zaremba &amp; Sutskever 2014, "Learning to execute": difficulty
 * scores are integer levels {@code 1..L} (there: program length and nesting), and a schedule gives
 * the current target level {@code D = clamp(round(level(t)), 1, L)}. Each epoch draws
 * {@code epochSize} examples, each by picking a level and then a uniform row of that level:
 *
 * <ul>
 *   <li>{@link Mode#NAIVE}: always level {@code D}, which the paper found can be worse than no
 *       curriculum, since the network forgets the easy levels and overfits each one;
 *   <li>{@link Mode#MIX}: a level uniform in {@code 1..D}, so earlier levels keep being seen;
 *   <li>{@link Mode#COMBINED}: with probability 0.2 a level uniform over all of {@code 1..L},
 *       else as {@code MIX}: the paper's best, since some hard examples from the start avoid the
 *       representations tuned only to easy ones.
 * </ul>
 *
 * Metrics: {@code share}, {@code meanDifficulty}, {@code level} (= D).
 */
public final class StochasticMixing implements Curriculum {
  /** How each example's level is chosen. */
  public enum Mode {
    NAIVE,
    MIX,
    COMBINED
  }

  /** The probability that {@link Mode#COMBINED} draws a level from all of {@code 1..L}. */
  public static final double COMBINED_ANY_LEVEL = 0.2;

  private final Plans.CachedScores scores;
  private final Schedule level;
  private final Mode mode;
  private final int epochSize;
  private int[][] byLevel;

  public StochasticMixing(Difficulty levels, Schedule level, Mode mode, int epochSize) {
    this.scores = new Plans.CachedScores(levels);
    this.level = Objects.requireNonNull(level, "level");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.epochSize = Plans.positive("epochSize", epochSize);
  }

  /** The level {@code D} of the epoch at 0-based index {@code t}, for {@code maxLevel} levels. */
  public int levelAt(long t, int maxLevel) {
    double v = level.at(t);
    if (Double.isNaN(v)) throw new IllegalArgumentException("level schedule " + level + " gave NaN at epoch index " + t);
    return (int) Math.max(1, Math.min(maxLevel, Math.round(v)));
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || byLevel == null) {
      byLevel = Plans.groupsByInteger(scores.scores(), 1, "levels", scores.difficulty().describe());
    }
    int maxLevel = byLevel.length;
    int d = levelAt(Plans.epochIndex(c), maxLevel);
    RandomStream rng = c.random();
    int[] rows = new int[epochSize];
    for (int i = 0; i < epochSize; i++) {
      int l = switch (mode) {
        case NAIVE -> d;
        case MIX -> 1 + rng.nextInt(d);
        case COMBINED -> rng.nextDouble() < COMBINED_ANY_LEVEL ? 1 + rng.nextInt(maxLevel) : 1 + rng.nextInt(d);
      };
      int[] pool = byLevel[l - 1];
      rows[i] = pool[rng.nextInt(pool.length)];
    }
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("level", (double) d);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "stochasticMixing(" + scores.difficulty().describe() + ", level=" + level + ", " + mode + ", epochSize=" + epochSize + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
