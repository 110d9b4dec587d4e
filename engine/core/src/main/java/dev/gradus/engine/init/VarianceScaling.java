package dev.gradus.engine.init;

import dev.gradus.engine.random.RandomStream;
import java.util.Locale;

/**
 * Draws with variance {@code scale / n}, where n is the fan-in, the fan-out or their average:
 * the family behind LeCun, Glorot and He initialization, with Keras' {@code VarianceScaling} /
 * JAX's {@code jax.nn.initializers.variance_scaling} semantics:
 *
 * <ul>
 *   <li>{@link Distribution#UNIFORM}: {@code U(−√(3·scale/n), √(3·scale/n))};
 *   <li>{@link Distribution#NORMAL}: {@code N(0, scale/n)};
 *   <li>{@link Distribution#TRUNCATED_NORMAL}: a normal truncated at ±2 of its standard
 *       deviations, whose standard deviation is √(scale/n) / 0.87962566103423978 so that the
 *       truncated draws have variance {@code scale/n} (0.8796… is the standard deviation of a
 *       standard normal truncated to (−2, 2)).
 * </ul>
 *
 * <p>Named members, as factories: {@link #lecunUniform()}, {@link #lecunNormal()} (LeCun et al.
 * 1998, "Efficient BackProp": variance 1/fanIn), {@link #glorotUniform()}, {@link
 * #glorotNormal()} (Glorot &amp; Bengio 2010: variance 2/(fanIn + fanOut)), {@link #heUniform()},
 * {@link #heNormal()} (He et al. 2015, "Delving deep into rectifiers": variance 2/fanIn). The
 * normal ones use a plain normal, as {@code torch.nn.init.kaiming_normal_} and {@code
 * xavier_normal_} do; Keras' {@code he_normal} etc. use the truncated normal, which is {@code
 * new VarianceScaling(2, IN, TRUNCATED_NORMAL)} here. The variance is the same either way.
 */
public record VarianceScaling(double scale, FanMode mode, Distribution distribution) implements Initializer {
  /** Which fan divides the scale. Codes are the numbers the {@link Initializers} registry takes. */
  public enum FanMode {
    /** n = fanIn: preserves the forward signal's variance. */
    IN(0, "fan-in"),
    /** n = fanOut: preserves the back-propagated gradient's variance. */
    OUT(1, "fan-out"),
    /** n = (fanIn + fanOut)/2: Glorot &amp; Bengio's compromise. */
    AVERAGE(2, "fan-avg");

    private final int code;
    private final String id;

    FanMode(int code, String id) {
      this.code = code;
      this.id = id;
    }

    public int code() {
      return code;
    }

    public String id() {
      return id;
    }

    /** n for a layer with these fans. */
    public double fan(int fanIn, int fanOut) {
      return switch (this) {
        case IN -> Checks.fan("variance scaling (fan-in)", "fanIn", fanIn);
        case OUT -> Checks.fan("variance scaling (fan-out)", "fanOut", fanOut);
        case AVERAGE -> {
          Checks.fan("variance scaling (fan-avg)", "fanIn", fanIn);
          Checks.fan("variance scaling (fan-avg)", "fanOut", fanOut);
          yield (fanIn + (double) fanOut) / 2.0;
        }
      };
    }

    public static FanMode fromCode(int code) {
      for (FanMode m : values()) if (m.code == code) return m;
      throw new IllegalArgumentException("unknown fan mode code " + code + "; known: 0 (fan-in), 1 (fan-out), 2 (fan-avg)");
    }
  }

  /** The distribution drawn from. Codes are the numbers the {@link Initializers} registry takes. */
  public enum Distribution {
    UNIFORM(0, "uniform"),
    NORMAL(1, "normal"),
    /** Normal truncated at ±2 standard deviations, standard deviation corrected (see class doc). */
    TRUNCATED_NORMAL(2, "truncated-normal");

    private final int code;
    private final String id;

    Distribution(int code, String id) {
      this.code = code;
      this.id = id;
    }

    public int code() {
      return code;
    }

    public String id() {
      return id;
    }

    public static Distribution fromCode(int code) {
      for (Distribution d : values()) if (d.code == code) return d;
      throw new IllegalArgumentException(
          "unknown distribution code " + code + "; known: 0 (uniform), 1 (normal), 2 (truncated-normal)");
    }
  }

  /** Standard deviation of a standard normal truncated to (−2, 2), by which the truncated normal's std is divided. */
  public static final double TRUNCATED_NORMAL_STD_CORRECTION = Sampling.TRUNCATED_STD_AT_2;

  public VarianceScaling {
    Checks.positive("variance scaling scale", scale);
    if (mode == null) throw new IllegalArgumentException("variance scaling mode must not be null (IN, OUT or AVERAGE)");
    if (distribution == null) {
      throw new IllegalArgumentException("variance scaling distribution must not be null (UNIFORM, NORMAL or TRUNCATED_NORMAL)");
    }
  }

  /** LeCun uniform: {@code U(−√(3/fanIn), √(3/fanIn))}, variance 1/fanIn. */
  public static VarianceScaling lecunUniform() {
    return new VarianceScaling(1.0, FanMode.IN, Distribution.UNIFORM);
  }

  /** LeCun normal: {@code N(0, 1/fanIn)}. */
  public static VarianceScaling lecunNormal() {
    return new VarianceScaling(1.0, FanMode.IN, Distribution.NORMAL);
  }

  /** Glorot uniform, {@code U(−√6/√(fanIn+fanOut), √6/√(fanIn+fanOut))}; the same distribution as {@link GlorotUniform}. */
  public static VarianceScaling glorotUniform() {
    return new VarianceScaling(1.0, FanMode.AVERAGE, Distribution.UNIFORM);
  }

  /** Glorot normal: {@code N(0, 2/(fanIn+fanOut))}. */
  public static VarianceScaling glorotNormal() {
    return new VarianceScaling(1.0, FanMode.AVERAGE, Distribution.NORMAL);
  }

  /** He (Kaiming) uniform: {@code U(−√(6/fanIn), √(6/fanIn))}, variance 2/fanIn. */
  public static VarianceScaling heUniform() {
    return new VarianceScaling(2.0, FanMode.IN, Distribution.UNIFORM);
  }

  /** He (Kaiming) normal: {@code N(0, 2/fanIn)}. */
  public static VarianceScaling heNormal() {
    return new VarianceScaling(2.0, FanMode.IN, Distribution.NORMAL);
  }

  /** The preset's name (e.g. "he-normal") when this is one of the named members, else null. */
  public String presetName() {
    if (scale == 1.0 && mode == FanMode.IN) {
      return distribution == Distribution.UNIFORM ? "lecun-uniform" : distribution == Distribution.NORMAL ? "lecun-normal" : null;
    }
    if (scale == 1.0 && mode == FanMode.AVERAGE) {
      return distribution == Distribution.UNIFORM ? "glorot-uniform" : distribution == Distribution.NORMAL ? "glorot-normal" : null;
    }
    if (scale == 2.0 && mode == FanMode.IN) {
      return distribution == Distribution.UNIFORM ? "he-uniform" : distribution == Distribution.NORMAL ? "he-normal" : null;
    }
    return null;
  }

  @Override
  public String name() {
    String preset = presetName();
    if (preset != null) return preset;
    return String.format(Locale.ROOT, "variance-scaling(scale=%s, mode=%s, distribution=%s)", scale, mode.id(), distribution.id());
  }

  /** The target variance scale/n for a layer with these fans. */
  public double variance(int fanIn, int fanOut) {
    return scale / mode.fan(fanIn, fanOut);
  }

  @Override
  public double[] sample(long[] shape, int fanIn, int fanOut, RandomStream rng) {
    double variance = variance(fanIn, fanOut);
    double[] v = new double[Initializer.count(shape)];
    switch (distribution) {
      case UNIFORM -> {
        double limit = Math.sqrt(3.0 * variance);
        for (int i = 0; i < v.length; i++) v[i] = rng.uniform(-limit, limit);
      }
      case NORMAL -> {
        double std = Math.sqrt(variance);
        for (int i = 0; i < v.length; i++) v[i] = std * rng.nextGaussian();
      }
      case TRUNCATED_NORMAL -> {
        double std = Math.sqrt(variance) / TRUNCATED_NORMAL_STD_CORRECTION;
        for (int i = 0; i < v.length; i++) v[i] = std * Sampling.truncatedStandardNormal(rng, 2.0);
      }
    }
    return v;
  }
}
