package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Factories for the transforms that are not optimizers by themselves: gradient clipping
 * (section 8.2.5), gradient noise, parameter averaging (section 8.7.3), parameter groups and
 * freezing. Combine them with an optimizer through {@link GradientTransform#chain}:
 *
 * <pre>{@code
 * GradientTransform opt = Transforms.averaged(
 *     chain(Transforms.clipByGlobalNorm(1.0), Optimizers.sgd(0.1)),
 *     Transforms.polyak(1000));
 * }</pre>
 */
public final class Transforms {
  private Transforms() {}

  // ---- clipping -------------------------------------------------------------------------

  /** Each gradient element clipped to {@code [−c, c]}: {@link ClipByValue}. */
  public static GradientTransform clipByValue(double threshold) {
    return new ClipByValue(threshold);
  }

  public static GradientTransform clipByValue(Schedule threshold) {
    return new ClipByValue(threshold);
  }

  /** Each gradient tensor rescaled to norm at most {@code c}: {@link ClipByNorm}. */
  public static GradientTransform clipByNorm(double maxNorm) {
    return new ClipByNorm(maxNorm);
  }

  public static GradientTransform clipByNorm(Schedule maxNorm) {
    return new ClipByNorm(maxNorm);
  }

  /** All gradients rescaled together to global norm at most {@code c}, torch's {@code clip_grad_norm_}: {@link ClipByGlobalNorm}. */
  public static GradientTransform clipByGlobalNorm(double maxNorm) {
    return new ClipByGlobalNorm(maxNorm);
  }

  public static GradientTransform clipByGlobalNorm(Schedule maxNorm) {
    return new ClipByGlobalNorm(maxNorm);
  }

  /** {@code epsilon} 1e-6 is torch's {@code clip_grad_norm_}, 0 is Optax's {@code clip_by_global_norm}. */
  public static GradientTransform clipByGlobalNorm(Schedule maxNorm, double epsilon) {
    return new ClipByGlobalNorm(maxNorm, epsilon);
  }

  // ---- noise ----------------------------------------------------------------------------

  /**
   * Annealed gradient noise with the paper's defaults, {@code σ_k² = 0.01 / (1 + k)^0.55}:
   * {@link GradientNoise}. {@code seed}: e.g. {@code RandomStreams.seedFor(rootSeed, GradientNoise.STREAM)}.
   */
  public static GradientTransform gradientNoise(long seed) {
    return new GradientNoise(GradientNoise.DEFAULT_ETA, GradientNoise.DEFAULT_GAMMA, seed);
  }

  /** {@code σ_k² = η / (1 + k)^γ}. */
  public static GradientTransform gradientNoise(double eta, double gamma, long seed) {
    return new GradientNoise(eta, gamma, seed);
  }

  /** Any schedule of the noise variance σ_k². */
  public static GradientTransform gradientNoise(Schedule variance, long seed) {
    return new GradientNoise(variance, seed);
  }

  // ---- averaging ------------------------------------------------------------------------

  /** Uniform average of the iterates from update {@code fromStep} on: {@link PolyakAverage}. Put it last. */
  public static PolyakAverage polyak(long fromStep) {
    return new PolyakAverage(fromStep);
  }

  /** Exponential moving average of the iterates, torch {@code swa_utils} semantics: {@link ExponentialMovingAverage}. Put it last. */
  public static ExponentialMovingAverage ema(double decay) {
    return new ExponentialMovingAverage(decay);
  }

  public static ExponentialMovingAverage ema(Schedule decay) {
    return new ExponentialMovingAverage(decay);
  }

  /** {@code debias = true}: Optax's zero-initialized, bias-corrected EMA. */
  public static ExponentialMovingAverage ema(Schedule decay, boolean debias) {
    return new ExponentialMovingAverage(decay, debias);
  }

  /**
   * {@code chain(optimizer, averager)}: the averager last, as it must be. Throws when
   * {@code optimizer} itself contains an averager followed by other transforms.
   */
  public static GradientTransform averaged(GradientTransform optimizer, ParameterAverager averager) {
    if (optimizer == null || averager == null) throw new IllegalArgumentException("averaged(optimizer, averager) needs both");
    GradientTransform chain = GradientTransform.chain(optimizer, averager);
    checkAveragerPlacement(chain);
    return chain;
  }

  /** Throws {@link IllegalStateException} when {@code transform} has an averager that is not at the end of its chain. */
  public static void checkAveragerPlacement(GradientTransform transform) {
    // find() checks placement; it needs a state only for what it returns, so a stand-in tree of states is enough
    ParameterAverager.find(transform, placeholderState(transform));
  }

  private static OptimizerState placeholderState(GradientTransform t) {
    if (t instanceof Chain c) {
      java.util.List<OptimizerState> members = new java.util.ArrayList<>();
      for (GradientTransform m : c.transforms()) members.add(placeholderState(m));
      return new Chain.State(members);
    }
    return OptimizerState.EMPTY;
  }

  // ---- groups and freezing ---------------------------------------------------------------

  /** A builder of parameter groups: {@link Partition}. */
  public static Partition.Builder partition() {
    return Partition.builder();
  }

  /** Zero updates: the transform of a frozen parameter group. */
  public static GradientTransform freeze() {
    return new SetToZero();
  }

  /**
   * Replaces every gradient by zeros of its shape and type (Optax's {@code set_to_zero}), so
   * {@link Optimizers#applyUpdates} leaves the parameters unchanged while the map keeps every
   * path. No state.
   */
  public record SetToZero() implements GradientTransform {
    @Override
    public OptimizerState init(ParameterSet params) {
      return OptimizerState.EMPTY;
    }

    @Override
    public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
        Tensor g = e.getValue();
        out.put(e.getKey(), g.backend().zeros(g.dtype(), g.shape()));
      }
      return new Update(out, state);
    }
  }

  // ---- argument checks shared by the transforms ------------------------------------------

  static double nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    return value;
  }

  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    return value;
  }

  /** A schedule's value checked at {@code step}, so the message says when it went wrong. */
  static double nonNegative(String name, double value, long step) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, but its schedule gives " + value + " at step " + step);
    }
    return value;
  }

  static double positive(String name, double value, long step) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, but its schedule gives " + value + " at step " + step);
    }
    return value;
  }

  /** The {@code step} scalar of a restored state, checked to be a whole number ≥ 0. */
  static long step(StateDict dict) {
    double s = dict.scalar("step");
    if (!(s >= 0) || s != Math.rint(s)) throw new IllegalArgumentException("optimizer state 'step' must be a whole number >= 0, got " + s);
    return (long) s;
  }
}
