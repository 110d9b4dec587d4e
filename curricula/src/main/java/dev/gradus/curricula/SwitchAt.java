package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import java.util.Map;

/**
 * The two-stage curriculum of Bengio et al. 2009's shape experiment: train on the easy set (the
 * basic shapes: rows with the lowest difficulty value) for epochs {@code 1..switchEpoch}, then
 * only on the hard set (every other row) from epoch {@code switchEpoch + 1} on. The paper varies
 * the switch epoch and finds that the switch itself, not the number of easy epochs, matters most;
 * {@code switchEpoch = 0} is the no-curriculum control that sees only the hard set.
 *
 * <p>With {@code Dataset.concat(name, List.of(easy, hard))} and {@code Difficulties.metadata("source")}
 * the easy set is part 0. Metrics: {@code share}, {@code meanDifficulty}, {@code stage} (0 easy,
 * 1 hard).
 */
public final class SwitchAt implements Curriculum {
  private final Plans.CachedScores scores;
  private final int switchEpoch;
  private int[] easy;
  private int[] hard;

  public SwitchAt(Difficulty difficulty, int switchEpoch) {
    this.scores = new Plans.CachedScores(difficulty);
    this.switchEpoch = Plans.nonNegative("switchEpoch", switchEpoch);
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || easy == null) {
      double[] s = scores.scores();
      double min = Double.POSITIVE_INFINITY;
      for (double v : s) min = Math.min(min, v);
      int ne = 0;
      for (double v : s) if (v == min) ne++;
      easy = new int[ne];
      hard = new int[n - ne];
      int a = 0, b = 0;
      for (int i = 0; i < n; i++) {
        if (s[i] == min) easy[a++] = i;
        else hard[b++] = i;
      }
    }
    boolean easyStage = c.epoch() <= switchEpoch;
    if (!easyStage && hard.length == 0) {
      throw new IllegalStateException("switchAt: epoch " + c.epoch() + " is after switchEpoch = " + switchEpoch
          + " but difficulty " + scores.difficulty().describe() + " gives every row the same score, so the hard set is empty");
    }
    int[] rows = Plans.shuffle(easyStage ? easy : hard, c.random());
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("stage", easyStage ? 0.0 : 1.0);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "switchAt(" + scores.difficulty().describe() + ", switchEpoch=" + switchEpoch + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
