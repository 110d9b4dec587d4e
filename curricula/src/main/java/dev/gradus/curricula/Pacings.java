package dev.gradus.curricula;

import dev.gradus.engine.schedule.Schedule;

/**
 * Pacing functions for curriculum learning (Deep Learning §8.7.5): each is a {@link Schedule}
 * of the 0-based epoch index {@code t} whose value is the fraction of the training data,
 * easiest first, that epoch {@code t + 1} may use, always in (0, 1].
 *
 * <p>Why schedules: a pacing is exactly a hyperparameter that changes with training time, so it
 * is plotted, recorded and swept like any learning-rate schedule; here its argument is the epoch,
 * not the optimizer step, because curricula plan whole epochs. Every factory validates its
 * arguments and names the offending one; every result has a {@code toString} for run records.
 *
 * <p>The shapes are the ones compared by Hacohen &amp; Weinshall 2019, "On the power of
 * curriculum learning in training deep networks" (fixed, step, exponential) and Platanios et
 * al. 2019, "Competence-based curriculum learning for neural machine translation" (linear,
 * root/square-root competence, geometric).
 */
public final class Pacings {
  private Pacings() {}

  /** The same fraction every epoch: {@code c(t) = fraction}. */
  public static Schedule fixed(double fraction) {
    return new Fixed(fraction);
  }

  /**
   * Step pacing (Hacohen &amp; Weinshall 2019's "single step" generalised to a staircase):
   * {@code c(t) = min(1, start + increment·⌊t / everyEpochs⌋)}.
   */
  public static Schedule step(double start, double increment, int everyEpochs) {
    return new Step(start, increment, everyEpochs);
  }

  /**
   * Linear competence (Platanios et al. 2019): {@code c(t) = min(1, from + (1 − from)·t / epochs)},
   * all the data from epoch index {@code epochs} on.
   */
  public static Schedule linear(double from, int epochs) {
    return new Linear(from, 1.0, epochs);
  }

  /**
   * Linear from {@code from} to {@code to} over {@code epochs} epochs, then {@code to}:
   * {@code c(t) = from + (to − from)·min(1, t / epochs)}; for curricula that never use the
   * hardest part of the data.
   */
  public static Schedule linear(double from, double to, int epochs) {
    return new Linear(from, to, epochs);
  }

  /**
   * Root-p competence (Platanios et al. 2019, eq. 6):
   * {@code c(t) = min(1, (t·(1 − from^p) / epochs + from^p)^(1/p))}. Larger powers give new
   * examples more epochs early, when each is a larger share of what the model has seen.
   */
  public static Schedule root(double from, int epochs, double power) {
    return new Root(from, epochs, power);
  }

  /** Platanios et al. 2019's square-root competence: {@link #root} with {@code p = 2}. */
  public static Schedule competenceSqrt(double from, int epochs) {
    return new Root(from, epochs, 2);
  }

  /**
   * Geometric competence: {@code c(t) = min(1, from·(1/from)^(t / epochs))}, the fraction grows by
   * the same factor every epoch and reaches 1 at epoch index {@code epochs}.
   */
  public static Schedule geometric(double from, int epochs) {
    return new Geometric(from, epochs);
  }

  /**
   * Fixed exponential pacing (Hacohen &amp; Weinshall 2019, §3):
   * {@code c(t) = min(1, start·factor^⌊t / everyEpochs⌋)}.
   */
  public static Schedule exponential(double start, double factor, int everyEpochs) {
    return new Exponential(start, factor, everyEpochs);
  }

  // ---------------------------------------------------------------- checks

  static double fraction(String name, double v) {
    if (!(v > 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in (0, 1], got " + v);
    return v;
  }

  static int atLeast(String name, int v, int min) {
    if (v < min) throw new IllegalArgumentException(name + " must be >= " + min + ", got " + v);
    return v;
  }

  static double epochIndex(long t) {
    if (t < 0) throw new IllegalArgumentException("epoch index must be >= 0, got " + t);
    return t;
  }

  // ---------------------------------------------------------------- the schedules

  /** See {@link Pacings#fixed}. */
  public record Fixed(double fraction) implements Schedule {
    public Fixed {
      Pacings.fraction("fraction", fraction);
    }

    @Override
    public double at(long t) {
      epochIndex(t);
      return fraction;
    }

    @Override
    public String toString() {
      return "fixed(" + fraction + ")";
    }
  }

  /** See {@link Pacings#step}. */
  public record Step(double start, double increment, int everyEpochs) implements Schedule {
    public Step {
      fraction("start", start);
      if (!(increment >= 0) || Double.isInfinite(increment)) {
        throw new IllegalArgumentException("increment must be finite and >= 0, got " + increment);
      }
      atLeast("everyEpochs", everyEpochs, 1);
    }

    @Override
    public double at(long t) {
      return Math.min(1, start + increment * Math.floorDiv((long) epochIndex(t), everyEpochs));
    }

    @Override
    public String toString() {
      return "step(start=" + start + ", increment=" + increment + ", everyEpochs=" + everyEpochs + ")";
    }
  }

  /** See {@link Pacings#linear(double, double, int)}. */
  public record Linear(double from, double to, int epochs) implements Schedule {
    public Linear {
      fraction("from", from);
      fraction("to", to);
      if (to < from) throw new IllegalArgumentException("to must be >= from = " + from + ", got " + to);
      atLeast("epochs", epochs, 1);
    }

    @Override
    public double at(long t) {
      return Math.min(to, from + (to - from) * Math.min(1.0, epochIndex(t) / epochs));
    }

    @Override
    public String toString() {
      return to == 1 ? "linear(from=" + from + ", epochs=" + epochs + ")" : "linear(from=" + from + ", to=" + to + ", epochs=" + epochs + ")";
    }
  }

  /** See {@link Pacings#root}. */
  public record Root(double from, int epochs, double power) implements Schedule {
    public Root {
      fraction("from", from);
      atLeast("epochs", epochs, 1);
      if (!(power > 0) || Double.isInfinite(power)) throw new IllegalArgumentException("power must be finite and > 0, got " + power);
    }

    @Override
    public double at(long t) {
      double fp = Math.pow(from, power);
      return Math.min(1, Math.pow(epochIndex(t) * (1 - fp) / epochs + fp, 1 / power));
    }

    @Override
    public String toString() {
      return power == 2 ? "competenceSqrt(from=" + from + ", epochs=" + epochs + ")" : "root(from=" + from + ", epochs=" + epochs + ", power=" + power + ")";
    }
  }

  /** See {@link Pacings#geometric}. */
  public record Geometric(double from, int epochs) implements Schedule {
    public Geometric {
      fraction("from", from);
      atLeast("epochs", epochs, 1);
    }

    @Override
    public double at(long t) {
      return Math.min(1, from * Math.pow(1 / from, epochIndex(t) / epochs));
    }

    @Override
    public String toString() {
      return "geometric(from=" + from + ", epochs=" + epochs + ")";
    }
  }

  /** See {@link Pacings#exponential}. */
  public record Exponential(double start, double factor, int everyEpochs) implements Schedule {
    public Exponential {
      fraction("start", start);
      if (!(factor >= 1) || Double.isInfinite(factor)) throw new IllegalArgumentException("factor must be finite and >= 1, got " + factor);
      atLeast("everyEpochs", everyEpochs, 1);
    }

    @Override
    public double at(long t) {
      return Math.min(1, start * Math.pow(factor, Math.floorDiv((long) epochIndex(t), everyEpochs)));
    }

    @Override
    public String toString() {
      return "exponential(start=" + start + ", factor=" + factor + ", everyEpochs=" + everyEpochs + ")";
    }
  }
}
