package dev.gradus.engine.schedule;

import dev.gradus.engine.schedule.ReduceOnPlateau.Mode;
import dev.gradus.engine.schedule.ReduceOnPlateau.ThresholdMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The schedule library (chapter 8 of <i>Deep Learning</i> and common practice) as static
 * factories, plus helpers for plotting and for finding metric-driven schedules. Steps are 0-based
 * optimizer steps; every factory validates its arguments and throws {@link
 * IllegalArgumentException} naming the bad one.
 */
public final class Schedules {
  private Schedules() {}

  /** {@code α_t = value}. */
  public static Schedule constant(double value) {
    return Schedule.constant(value);
  }

  /** {@code α_t = initial · factor^⌊t/every⌋} (torch StepLR). */
  public static StepDecay stepDecay(double initial, double factor, long every) {
    return new StepDecay(initial, factor, every);
  }

  /** {@code α_t = initial · factor^|{m ∈ milestones : m ≤ t}|} (torch MultiStepLR). */
  public static MultiStep multiStep(double initial, double factor, long... milestones) {
    return new MultiStep(initial, factor, milestones);
  }

  /** {@code α_t = initial · e^(−rate·t)}. */
  public static ExponentialDecay exponential(double initial, double rate) {
    return new ExponentialDecay(initial, rate);
  }

  /** {@code α_t = initial / (1 + rate·t)}. */
  public static InverseTimeDecay inverseTime(double initial, double rate) {
    return new InverseTimeDecay(initial, rate);
  }

  /** Book eq. 8.14: {@code ε_t = (1 − t/τ)ε₀ + (t/τ)ε_τ} for {@code t ≤ τ}, {@code ε_τ} after. */
  public static LinearDecay linearDecay(double initial, long steps, double end) {
    return new LinearDecay(initial, steps, end);
  }

  /** {@code α_t = (initial − end)·(1 − min(t,T)/T)^power + end}. */
  public static PolynomialDecay polynomial(double initial, long steps, double end, double power) {
    return new PolynomialDecay(initial, steps, end, power);
  }

  /** Cosine annealing to 0: {@code α_t = initial·(1 + cos(π·min(t,T)/T))/2}. */
  public static CosineAnnealing cosine(double initial, long steps) {
    return new CosineAnnealing(initial, steps, 0.0);
  }

  /** {@code α_t = end + (initial − end)·(1 + cos(π·min(t,T)/T))/2}. */
  public static CosineAnnealing cosine(double initial, long steps, double end) {
    return new CosineAnnealing(initial, steps, end);
  }

  /** Linear warm-up from 0 to {@code after.at(0)} over {@code warmupSteps}, then {@code after.at(t − W)}. */
  public static Warmup warmup(Schedule after, long warmupSteps) {
    return new Warmup(after, warmupSteps, 0.0);
  }

  /** Linear warm-up from {@code start} to {@code after.at(0)} over {@code warmupSteps}, then {@code after.at(t − W)}. */
  public static Warmup warmup(Schedule after, long warmupSteps, double start) {
    return new Warmup(after, warmupSteps, start);
  }

  /** Part i applies from {@code boundaries[i−1]} on and sees the step relative to its own start (optax join_schedules). */
  public static Join join(List<Schedule> parts, long... boundaries) {
    return new Join(parts, boundaries);
  }

  /** Sutskever et al. (2013): {@code μ_t = min(1 − 2^(−1−log₂(⌊t/250⌋+1)), max)}. */
  public static SutskeverMomentum sutskeverMomentum(double max) {
    return new SutskeverMomentum(max);
  }

  /** Sutskever et al. (2013) with blocks of {@code every} steps instead of 250. */
  public static SutskeverMomentum sutskeverMomentum(double max, long every) {
    return new SutskeverMomentum(max, every);
  }

  /** A schedule of the epoch read per step: {@code α_step = ofEpoch.at(⌊step/stepsPerEpoch⌋)}. */
  public static PerEpoch perEpoch(Schedule ofEpoch, long stepsPerEpoch) {
    return new PerEpoch(ofEpoch, stepsPerEpoch);
  }

  /** Reduce on plateau with threshold 1e-4 (relative), no cooldown, no minimum. */
  public static ReduceOnPlateau reduceOnPlateau(Schedule base, String metric, Mode mode, double factor, int patience) {
    return new ReduceOnPlateau(base, metric, mode, factor, patience, 1e-4, ThresholdMode.REL, 0, 0.0);
  }

  /** Reduce on plateau with a relative threshold. */
  public static ReduceOnPlateau reduceOnPlateau(Schedule base, String metric, Mode mode, double factor, int patience,
      double threshold, int cooldown, double minValue) {
    return new ReduceOnPlateau(base, metric, mode, factor, patience, threshold, ThresholdMode.REL, cooldown, minValue);
  }

  /** Reduce on plateau, every option given. */
  public static ReduceOnPlateau reduceOnPlateau(Schedule base, String metric, Mode mode, double factor, int patience,
      double threshold, ThresholdMode thresholdMode, int cooldown, double minValue) {
    return new ReduceOnPlateau(base, metric, mode, factor, patience, threshold, thresholdMode, cooldown, minValue);
  }

  /** {@code [s.at(0), …, s.at(steps − 1)]}, e.g. for a plot. */
  public static double[] sample(Schedule s, long steps) {
    return values(s, 0, steps);
  }

  /** {@code [s.at(from), …, s.at(to − 1)]}: the half-open range of steps {@code [from, to)}. */
  public static double[] values(Schedule s, long from, long to) {
    Check.notNull("s", s);
    Check.atLeast("from", from, 0);
    Check.atLeast("to", to, from);
    if (to - from > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("to - from must fit an array, got " + (to - from));
    }
    double[] out = new double[(int) (to - from)];
    for (int i = 0; i < out.length; i++) out[i] = s.at(from + i);
    return out;
  }

  /**
   * Every {@link MetricDrivenSchedule} in {@code root} or nested in it (through {@link
   * Schedule#parts()}), each once, in depth-first order: what the trainer must feed metrics to.
   */
  public static List<MetricDrivenSchedule> metricDriven(Schedule root) {
    Check.notNull("root", root);
    List<MetricDrivenSchedule> out = new ArrayList<>();
    Set<Schedule> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Schedule> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Schedule s = stack.pop();
      if (!seen.add(s)) continue;
      if (s instanceof MetricDrivenSchedule m) out.add(m);
      List<Schedule> parts = s.parts();
      for (int i = parts.size() - 1; i >= 0; i--) stack.push(parts.get(i));
    }
    return out;
  }
}
