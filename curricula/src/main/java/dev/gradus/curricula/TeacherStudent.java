package dev.gradus.curricula;

import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.random.RandomStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Teacher–student curriculum learning (Matiisen, Oliver, Cohen &amp; Schulman 2017), Window
 * algorithm: the training set is split into tasks (the distinct integer values of a difficulty),
 * and a bandit teacher trains the student on the task where it is learning fastest, measured by
 * the slope of that task's loss, because learning progress (not difficulty) is what the student
 * gains most from; |slope| rather than slope, so that a task being forgotten (loss rising) is
 * revisited.
 *
 * <p>Every epoch: each task's mean current loss is read from {@link EpochContext#exampleLosses()}
 * and appended to that task's history, of which the last {@code window} values are kept; each
 * slope is the least-squares slope of those values over their 0-based epoch indices (0 with fewer
 * than two values). Tasks never chosen yet are chosen first, in increasing task value; after that,
 * with probability {@code epsilon} a uniformly random task, otherwise the task with the largest
 * |slope| (lowest task value among ties). The epoch is {@code epochSize} rows drawn uniformly,
 * with replacement, from the chosen task.
 *
 * <p>Metrics: {@code task} (the chosen task's value), {@code slope} (its slope, signed),
 * {@code share}, {@code meanDifficulty}.
 */
public final class TeacherStudent implements Curriculum {
  private final Plans.CachedScores scores;
  private final int window;
  private final double epsilon;
  private final int epochSize;
  private int[] taskValues;
  private int[][] taskRows;
  private Deque<double[]>[] history;
  private boolean[] tried;

  public TeacherStudent(Difficulty tasks, int window, double epsilon, int epochSize) {
    this.scores = new Plans.CachedScores(tasks);
    this.window = Plans.positive("window", window);
    if (!(epsilon >= 0 && epsilon <= 1)) throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
    this.epsilon = epsilon;
    this.epochSize = Plans.positive("epochSize", epochSize);
  }

  @SuppressWarnings("unchecked")
  private void init(double[] s) {
    TreeMap<Integer, Integer> counts = new TreeMap<>();
    for (int i = 0; i < s.length; i++) {
      if (s[i] != Math.rint(s[i]) || Math.abs(s[i]) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("tasks must be whole numbers from difficulty " + scores.difficulty().describe() + ", but row " + i + " has " + s[i]);
      }
      counts.merge((int) s[i], 1, Integer::sum);
    }
    int k = counts.size();
    taskValues = counts.keySet().stream().mapToInt(Integer::intValue).toArray();
    taskRows = new int[k][];
    int t = 0;
    for (int c : counts.values()) taskRows[t++] = new int[c];
    int[] fill = new int[k];
    for (int i = 0; i < s.length; i++) {
      int idx = Arrays.binarySearch(taskValues, (int) s[i]);
      taskRows[idx][fill[idx]++] = i;
    }
    history = new Deque[k];
    for (int i = 0; i < k; i++) history[i] = new ArrayDeque<>();
    tried = new boolean[k];
  }

  /** The least-squares slope of {@code (x, y)} points; 0 with fewer than two. */
  static double slope(Iterable<double[]> points) {
    double n = 0, sx = 0, sy = 0;
    for (double[] p : points) {
      n++;
      sx += p[0];
      sy += p[1];
    }
    if (n < 2) return 0;
    double mx = sx / n, my = sy / n, sxy = 0, sxx = 0;
    for (double[] p : points) {
      sxy += (p[0] - mx) * (p[1] - my);
      sxx += (p[0] - mx) * (p[0] - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }

  @Override
  public EpochPlan plan(EpochContext c) {
    int n = c.train().size();
    if (scores.refresh(c.train()) || taskValues == null) init(scores.scores());
    double[] losses = c.exampleLosses();
    if (losses.length != n) throw new IllegalStateException("exampleLosses has " + losses.length + " values for " + n + " training rows");
    int k = taskValues.length;
    double[] slopes = new double[k];
    for (int t = 0; t < k; t++) {
      double sum = 0;
      for (int r : taskRows[t]) sum += losses[r];
      history[t].addLast(new double[] {Plans.epochIndex(c), sum / taskRows[t].length});
      while (history[t].size() > window) history[t].removeFirst();
      slopes[t] = slope(history[t]);
    }
    RandomStream rng = c.random();
    int chosen = -1;
    for (int t = 0; t < k && chosen < 0; t++) if (!tried[t]) chosen = t;
    if (chosen < 0) {
      if (epsilon > 0 && rng.nextDouble() < epsilon) {
        chosen = rng.nextInt(k);
      } else {
        chosen = 0;
        for (int t = 1; t < k; t++) if (Math.abs(slopes[t]) > Math.abs(slopes[chosen])) chosen = t;
      }
    }
    tried[chosen] = true;
    int[] pool = taskRows[chosen];
    int[] rows = new int[epochSize];
    for (int i = 0; i < epochSize; i++) rows[i] = pool[rng.nextInt(pool.length)];
    Map<String, Double> m = Plans.metrics(rows, scores.scores(), n);
    m.put("task", (double) taskValues[chosen]);
    m.put("slope", slopes[chosen]);
    return new EpochPlan(rows, null, m);
  }

  @Override
  public String describe() {
    return "teacherStudent(" + scores.difficulty().describe() + ", window=" + window + ", epsilon=" + epsilon + ", epochSize=" + epochSize + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
