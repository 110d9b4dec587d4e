package dev.gradus.curricula;

import dev.gradus.engine.checkpoint.Stateful;
import dev.gradus.engine.curriculum.Curriculum;
import dev.gradus.engine.curriculum.Difficulty;
import dev.gradus.engine.curriculum.EpochContext;
import dev.gradus.engine.curriculum.EpochPlan;
import dev.gradus.engine.optim.StateDict;
import dev.gradus.engine.random.RandomStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
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
public final class TeacherStudent implements Curriculum, Stateful {
  private final Plans.CachedScores scores;
  private final int window;
  private final double epsilon;
  private final int epochSize;
  private int[] taskValues;
  private int[][] taskRows;
  private Deque<double[]>[] history;
  private boolean[] tried;
  /** A state given to {@link #restoreState} before the tasks are known; applied when the first plan builds them. */
  private StateDict pending;

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
    if (scores.refresh(c.train()) || taskValues == null) {
      init(scores.scores());
      if (pending != null) apply(pending);
      pending = null;
    }
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

  /**
   * The bandit's memory: which tasks were tried ({@code tried}, task values in {@code tasks}) and
   * each task's window of (epoch index, mean loss) pairs ({@code history/<t>}, shape [n, 2]).
   * The task split itself is recomputed from the data. Empty before the first plan.
   */
  @Override
  public StateDict saveState() {
    Map<String, double[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, long[]> words = new LinkedHashMap<>();
    if (taskValues != null) {
      long[] values = new long[taskValues.length];
      long[] triedWords = new long[tried.length];
      for (int t = 0; t < taskValues.length; t++) {
        values[t] = taskValues[t];
        triedWords[t] = tried[t] ? 1 : 0;
        double[] h = new double[2 * history[t].size()];
        int i = 0;
        for (double[] point : history[t]) {
          h[i++] = point[0];
          h[i++] = point[1];
        }
        tensors.put("history/" + t, h);
        shapes.put("history/" + t, new long[] {history[t].size(), 2});
      }
      words.put("tasks", values);
      words.put("tried", triedWords);
    }
    return new StateDict(tensors, shapes, Map.of(), words);
  }

  @Override
  public void restoreState(StateDict state) {
    if (state.words().isEmpty()) {
      pending = null;
      if (taskValues != null) init(scores.scores());
      return;
    }
    if (taskValues == null) {
      pending = state;
    } else {
      apply(state);
    }
  }

  private void apply(StateDict state) {
    long[] values = state.words("tasks");
    long[] triedWords = state.words("tried");
    if (values.length != taskValues.length || triedWords.length != taskValues.length) {
      throw new IllegalArgumentException("the saved teacher-student state has " + values.length + " tasks, the data " + taskValues.length);
    }
    for (int t = 0; t < taskValues.length; t++) {
      if (values[t] != taskValues[t]) {
        throw new IllegalArgumentException("the saved teacher-student state's task " + t + " is " + values[t] + ", the data's " + taskValues[t]);
      }
      double[] h = state.tensor("history/" + t);
      if (h.length / 2 > window) throw new IllegalArgumentException("task " + t + " has " + h.length / 2 + " saved losses; the window is " + window);
      history[t].clear();
      for (int i = 0; i + 1 < h.length; i += 2) history[t].addLast(new double[] {h[i], h[i + 1]});
      tried[t] = triedWords[t] != 0;
    }
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
