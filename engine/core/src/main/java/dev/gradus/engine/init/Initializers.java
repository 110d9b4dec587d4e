package dev.gradus.engine.init;

import dev.gradus.engine.init.VarianceScaling.Distribution;
import dev.gradus.engine.init.VarianceScaling.FanMode;
import dev.gradus.engine.nn.Activation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * The registry of weight initializers by name with numeric arguments: what specs (JSON, the DSL)
 * store and what the spec compiler resolves. {@link #problems} validates a name and its
 * arguments without throwing, so the compiler can report every problem at once with its path;
 * {@link #byName} builds the initializer (and throws, listing every problem, when there are any).
 *
 * <table>
 *   <caption>Names and arguments (defaults in parentheses; "required" has none)</caption>
 *   <tr><th>name</th><th>arguments</th><th>builds</th></tr>
 *   <tr><td>zeros</td><td>—</td><td>{@link Constant#ZEROS}</td></tr>
 *   <tr><td>constant</td><td>value (required)</td><td>{@link Constant}</td></tr>
 *   <tr><td>uniform</td><td>lo, hi (required, lo &lt; hi)</td><td>{@link Uniform}</td></tr>
 *   <tr><td>normal</td><td>mean (0), std (required, &gt; 0)</td><td>{@link Normal}</td></tr>
 *   <tr><td>truncated-normal</td><td>mean (0), std (required), bound (2, in stds)</td><td>{@link TruncatedNormal}</td></tr>
 *   <tr><td>uniform-fan-in</td><td>—</td><td>{@link UniformFanIn}: U(−1/√m, 1/√m)</td></tr>
 *   <tr><td>lecun-uniform, lecun-normal</td><td>—</td><td>{@link VarianceScaling#lecunUniform()}, {@link VarianceScaling#lecunNormal()}</td></tr>
 *   <tr><td>glorot-uniform</td><td>gain (1)</td><td>{@link GlorotUniform}</td></tr>
 *   <tr><td>glorot-normal</td><td>—</td><td>{@link VarianceScaling#glorotNormal()}</td></tr>
 *   <tr><td>he-uniform, he-normal</td><td>—</td><td>{@link VarianceScaling#heUniform()}, {@link VarianceScaling#heNormal()}</td></tr>
 *   <tr><td>orthogonal</td><td>gain (1)</td><td>{@link Orthogonal}</td></tr>
 *   <tr><td>sparse</td><td>k (15, whole number ≥ 1), scale (1)</td><td>{@link Sparse}</td></tr>
 *   <tr><td>identity</td><td>gain (1)</td><td>{@link Identity} (square layers)</td></tr>
 *   <tr><td>variance-scaling</td><td>scale (1), mode (0), distribution (2)</td><td>{@link VarianceScaling}; mode
 *       codes 0 fan-in, 1 fan-out, 2 fan-avg; distribution codes 0 uniform, 1 normal, 2 truncated-normal
 *       (defaults as Keras: fan-in, truncated normal)</td></tr>
 * </table>
 *
 * <p><b>Gains.</b> Every name except zeros and constant also takes one of three ways to set a
 * gain (at most one): {@code gain} = a number &gt; 0 (default 1); {@code gainFromActivation = 1}:
 * the gain of the layer's activation ({@link Gains#forActivation}: linear 1, ReLU √2, tanh 5/3,
 * …); {@code gainRandomWalk = 1}: Sussillo &amp; Abbott's gain for the layer's activation
 * (identity or relu) and width N = fan-in ({@link Gains#randomWalk}). Glorot uniform, orthogonal
 * and identity take the gain natively; the others are wrapped in {@link Gain}. The two layer
 * gains need the layer: use {@link #byName(String, Map, Activation, int, int)}, and {@link
 * #problems(String, Map, Activation, int, int)} to also check what depends on the layer (sparse
 * k ≤ fan-in, identity needs a square layer, random walk needs identity or relu).
 */
public final class Initializers {
  private Initializers() {}

  public static final String GAIN = "gain";
  public static final String GAIN_FROM_ACTIVATION = "gainFromActivation";
  public static final String GAIN_RANDOM_WALK = "gainRandomWalk";

  /**
   * A problem with an initializer spec. {@code argument} is the argument's name, or null when the
   * problem is with the name or with the layer; {@code message} reads after the argument's name
   * (a DSL prints it at {@code <path>.args.<argument>}), {@link #toString()} is the full sentence.
   */
  public record Problem(String initializer, String argument, String message) {
    @Override
    public String toString() {
      return argument == null ? message : "argument '" + argument + "' of " + initializer + " " + message;
    }
  }

  private record Arg(String name, Double defaultValue, DoubleFunction<String> check) {}

  private interface Factory {
    /** The initializer for resolved arguments (defaults filled in); {@code gain} is used only by native-gain entries. */
    Initializer make(Map<String, Double> args, double gain);
  }

  private interface LayerCheck {
    /** A problem with using these resolved arguments on a layer with these fans, or null. */
    String check(Map<String, Double> args, int fanIn, int fanOut);
  }

  private interface CrossCheck {
    /** A problem combining resolved arguments, or null. */
    Problem check(String name, Map<String, Double> args);
  }

  private enum GainKind { NONE, WRAPPED, NATIVE }

  private record Entry(String name, List<Arg> args, GainKind gain, Factory factory, CrossCheck cross, LayerCheck layer) {
    List<Arg> allArgs() {
      if (gain == GainKind.NONE) return args;
      List<Arg> all = new ArrayList<>(args);
      all.add(new Arg(GAIN, 1.0, Initializers::positive));
      all.add(new Arg(GAIN_FROM_ACTIVATION, 0.0, Initializers::flag));
      all.add(new Arg(GAIN_RANDOM_WALK, 0.0, Initializers::flag));
      return all;
    }
  }

  private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

  private static void register(String name, GainKind gain, Factory factory, Arg... args) {
    register(name, gain, factory, null, null, args);
  }

  private static void register(String name, GainKind gain, Factory factory, CrossCheck cross, LayerCheck layer, Arg... args) {
    REGISTRY.put(name, new Entry(name, List.of(args), gain, factory, cross, layer));
  }

  private static Arg required(String name, DoubleFunction<String> check) {
    return new Arg(name, null, check);
  }

  private static Arg optional(String name, double defaultValue, DoubleFunction<String> check) {
    return new Arg(name, defaultValue, check);
  }

  static {
    register("zeros", GainKind.NONE, (a, g) -> Constant.ZEROS);
    register("constant", GainKind.NONE, (a, g) -> new Constant(a.get("value")), required("value", Initializers::finite));
    register("uniform", GainKind.WRAPPED, (a, g) -> new Uniform(a.get("lo"), a.get("hi")),
        (name, a) -> a.get("lo") < a.get("hi") ? null
            : new Problem(name, "hi", "must be greater than lo (" + a.get("lo") + "), got " + a.get("hi")),
        null,
        required("lo", Initializers::finite), required("hi", Initializers::finite));
    register("normal", GainKind.WRAPPED, (a, g) -> new Normal(a.get("mean"), a.get("std")),
        optional("mean", 0.0, Initializers::finite), required("std", Initializers::positive));
    register("truncated-normal", GainKind.WRAPPED, (a, g) -> new TruncatedNormal(a.get("mean"), a.get("std"), a.get("bound")),
        optional("mean", 0.0, Initializers::finite), required("std", Initializers::positive),
        optional("bound", TruncatedNormal.DEFAULT_BOUND, Initializers::positive));
    register("uniform-fan-in", GainKind.WRAPPED, (a, g) -> new UniformFanIn());
    register("lecun-uniform", GainKind.WRAPPED, (a, g) -> VarianceScaling.lecunUniform());
    register("lecun-normal", GainKind.WRAPPED, (a, g) -> VarianceScaling.lecunNormal());
    register("glorot-uniform", GainKind.NATIVE, (a, g) -> new GlorotUniform(g));
    register("glorot-normal", GainKind.WRAPPED, (a, g) -> VarianceScaling.glorotNormal());
    register("he-uniform", GainKind.WRAPPED, (a, g) -> VarianceScaling.heUniform());
    register("he-normal", GainKind.WRAPPED, (a, g) -> VarianceScaling.heNormal());
    register("orthogonal", GainKind.NATIVE, (a, g) -> new Orthogonal(g));
    register("sparse", GainKind.WRAPPED, (a, g) -> new Sparse((int) (double) a.get("k"), a.get("scale")),
        null,
        (a, fanIn, fanOut) -> a.get("k") <= fanIn ? null
            : "sparse gives each unit k=" + (int) (double) a.get("k") + " non-zero incoming weights, but this layer's units have only "
                + fanIn + " inputs",
        optional("k", Sparse.DEFAULT_K, Initializers::wholeAtLeastOne), optional("scale", 1.0, Initializers::positive));
    register("identity", GainKind.NATIVE, (a, g) -> new Identity(g),
        null,
        (a, fanIn, fanOut) -> fanIn == fanOut ? null
            : "identity needs a square layer (units = inputs), this one has " + fanIn + " inputs and " + fanOut + " units");
    register("variance-scaling", GainKind.WRAPPED,
        (a, g) -> new VarianceScaling(a.get("scale"), FanMode.fromCode((int) (double) a.get("mode")),
            Distribution.fromCode((int) (double) a.get("distribution"))),
        optional("scale", 1.0, Initializers::positive),
        optional("mode", FanMode.IN.code(), Initializers::modeCode),
        optional("distribution", Distribution.TRUNCATED_NORMAL.code(), Initializers::distributionCode));
  }

  /** Every registered name, in a stable order. */
  public static List<String> names() {
    return List.copyOf(REGISTRY.keySet());
  }

  /** The argument names {@code name} accepts (gain arguments included); empty for unknown names. */
  public static List<String> arguments(String name) {
    Entry e = name == null ? null : REGISTRY.get(name);
    return e == null ? List.of() : e.allArgs().stream().map(Arg::name).toList();
  }

  /** The default of each optional argument of {@code name} (required ones are absent). */
  public static Map<String, Double> defaults(String name) {
    Entry e = name == null ? null : REGISTRY.get(name);
    if (e == null) return Map.of();
    Map<String, Double> d = new LinkedHashMap<>();
    for (Arg a : e.allArgs()) if (a.defaultValue() != null) d.put(a.name(), a.defaultValue());
    return Collections.unmodifiableMap(d);
  }

  /**
   * Human-readable problems with {@code name} and {@code args}, without the layer: unknown name
   * (listing the known ones), unknown, missing or out-of-range arguments, conflicting gains.
   * Never throws; empty when {@link #byName(String, Map)} would succeed, except that the layer
   * gains ({@code gainFromActivation}, {@code gainRandomWalk}) are accepted here and need the
   * layer's form.
   */
  public static List<String> problems(String name, Map<String, Double> args) {
    return check(name, args).stream().map(Problem::toString).toList();
  }

  /** {@link #problems(String, Map)} plus what depends on the layer; empty when {@link #byName(String, Map, Activation, int, int)} would succeed. */
  public static List<String> problems(String name, Map<String, Double> args, Activation activation, int fanIn, int fanOut) {
    return check(name, args, activation, fanIn, fanOut).stream().map(Problem::toString).toList();
  }

  /** {@link #problems(String, Map)} as structured problems, each naming its argument. */
  public static List<Problem> check(String name, Map<String, Double> args) {
    return check(name, args, false, null, 0, 0);
  }

  /** {@link #problems(String, Map, Activation, int, int)} as structured problems, each naming its argument. */
  public static List<Problem> check(String name, Map<String, Double> args, Activation activation, int fanIn, int fanOut) {
    return check(name, args, true, activation, fanIn, fanOut);
  }

  /**
   * The initializer {@code name} with {@code args}, when it needs no layer information. Throws
   * {@link IllegalArgumentException} listing every problem, or when a layer gain is asked for.
   */
  public static Initializer byName(String name, Map<String, Double> args) {
    List<Problem> problems = check(name, args);
    throwIfAny(name, problems);
    Map<String, Double> a = resolved(REGISTRY.get(name), args);
    if (isOn(a.get(GAIN_FROM_ACTIVATION)) || isOn(a.get(GAIN_RANDOM_WALK))) {
      String which = isOn(a.get(GAIN_FROM_ACTIVATION)) ? GAIN_FROM_ACTIVATION : GAIN_RANDOM_WALK;
      throw new IllegalArgumentException(name + " with " + which
          + " = 1 needs the layer's activation and fans: use Initializers.byName(name, args, activation, fanIn, fanOut)");
    }
    return build(REGISTRY.get(name), a, a.getOrDefault(GAIN, 1.0));
  }

  /**
   * The initializer {@code name} with {@code args} for a layer with {@code activation} (null or
   * IDENTITY for linear layers), {@code fanIn} inputs per unit (the width N of the random-walk
   * gain) and {@code fanOut} units. Throws {@link IllegalArgumentException} listing every
   * problem.
   */
  public static Initializer byName(String name, Map<String, Double> args, Activation activation, int fanIn, int fanOut) {
    throwIfAny(name, check(name, args, activation, fanIn, fanOut));
    Entry e = REGISTRY.get(name);
    Map<String, Double> a = resolved(e, args);
    double gain;
    if (isOn(a.get(GAIN_FROM_ACTIVATION))) {
      gain = Gains.forActivation(activation == null ? Activation.IDENTITY : activation);
    } else if (isOn(a.get(GAIN_RANDOM_WALK))) {
      gain = Gains.randomWalk(activation == null ? Activation.IDENTITY : activation, fanIn);
    } else {
      gain = a.getOrDefault(GAIN, 1.0);
    }
    return build(e, a, gain);
  }

  private static Initializer build(Entry e, Map<String, Double> a, double gain) {
    return switch (e.gain()) {
      case NONE -> e.factory().make(a, 1.0);
      case NATIVE -> e.factory().make(a, gain);
      case WRAPPED -> {
        Initializer base = e.factory().make(a, 1.0);
        yield gain == 1.0 ? base : Gain.of(base, gain);
      }
    };
  }

  private static void throwIfAny(String name, List<Problem> problems) {
    if (problems.isEmpty()) return;
    throw new IllegalArgumentException("invalid initializer " + (name == null ? "(no name)" : "'" + name + "'") + ": "
        + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
  }

  private static Map<String, Double> resolved(Entry e, Map<String, Double> args) {
    Map<String, Double> a = new LinkedHashMap<>();
    for (Arg arg : e.allArgs()) {
      Double v = args == null ? null : args.get(arg.name());
      if (v == null) v = arg.defaultValue();
      if (v != null) a.put(arg.name(), v);
    }
    return a;
  }

  private static List<Problem> check(String name, Map<String, Double> args, boolean withLayer, Activation activation, int fanIn, int fanOut) {
    List<Problem> problems = new ArrayList<>();
    if (name == null || !REGISTRY.containsKey(name)) {
      String suggestion = name == null ? null : closest(name, REGISTRY.keySet());
      problems.add(new Problem(name, null, (name == null ? "no initializer name" : "unknown initializer '" + name + "'")
          + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
          + "; known: " + String.join(", ", REGISTRY.keySet())));
      return problems;
    }
    Entry e = REGISTRY.get(name);
    Map<String, Arg> known = new LinkedHashMap<>();
    for (Arg a : e.allArgs()) known.put(a.name(), a);
    Map<String, Double> given = args == null ? Map.of() : args;
    boolean valuesOk = true;
    for (Map.Entry<String, Double> kv : given.entrySet()) {
      String key = kv.getKey();
      if (key == null) {
        problems.add(new Problem(name, null, "an argument of " + name + " has no name"
            + (known.isEmpty() ? "; " + name + " takes no arguments" : "; known: " + String.join(", ", known.keySet()))));
        continue;
      }
      Arg arg = known.get(key);
      if (arg == null) {
        String suggestion = closest(key, known.keySet());
        problems.add(new Problem(name, key, "is unknown"
            + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
            + (known.isEmpty() ? "; " + name + " takes no arguments" : "; known: " + String.join(", ", known.keySet()))));
        continue;
      }
      String msg = kv.getValue() == null ? "has no value" : arg.check().apply(kv.getValue());
      if (msg != null) {
        problems.add(new Problem(name, key, msg));
        valuesOk = false;
      }
    }
    for (Arg arg : e.allArgs()) {
      if (arg.defaultValue() == null && !given.containsKey(arg.name())) {
        problems.add(new Problem(name, arg.name(), "is required"));
        valuesOk = false;
      }
    }
    if (!valuesOk) return problems;
    Map<String, Double> a = resolved(e, given);
    if (e.gain() != GainKind.NONE) {
      boolean fromActivation = isOn(a.get(GAIN_FROM_ACTIVATION));
      boolean randomWalk = isOn(a.get(GAIN_RANDOM_WALK));
      if (given.containsKey(GAIN) && fromActivation) {
        problems.add(new Problem(name, GAIN_FROM_ACTIVATION, "cannot be combined with 'gain': set the gain one way"));
      }
      if (given.containsKey(GAIN) && randomWalk) {
        problems.add(new Problem(name, GAIN_RANDOM_WALK, "cannot be combined with 'gain': set the gain one way"));
      }
      if (fromActivation && randomWalk) {
        problems.add(new Problem(name, GAIN_RANDOM_WALK, "cannot be combined with '" + GAIN_FROM_ACTIVATION + "': set the gain one way"));
      }
      if (withLayer && randomWalk && !Gains.hasRandomWalk(activation == null ? Activation.IDENTITY : activation)) {
        problems.add(new Problem(name, GAIN_RANDOM_WALK,
            "is defined (Sussillo & Abbott 2014) for identity (linear) and relu layers, not " + activation.id()));
      }
    }
    if (e.cross() != null) {
      Problem p = e.cross().check(name, a);
      if (p != null) problems.add(p);
    }
    if (withLayer) {
      if (fanIn < 1 || fanOut < 1) {
        problems.add(new Problem(name, null, name + " needs a layer with fan-in and fan-out >= 1, got fan-in " + fanIn + ", fan-out " + fanOut));
      } else if (e.layer() != null) {
        String msg = e.layer().check(a, fanIn, fanOut);
        if (msg != null) problems.add(new Problem(name, null, msg));
      }
    }
    return problems;
  }

  private static boolean isOn(Double flag) {
    return flag != null && flag == 1.0;
  }

  private static String finite(double v) {
    return Double.isFinite(v) ? null : "must be finite, got " + v;
  }

  private static String positive(double v) {
    return v > 0 && Double.isFinite(v) ? null : "must be > 0 and finite, got " + v;
  }

  private static String flag(double v) {
    return v == 0.0 || v == 1.0 ? null : "must be 1 (on) or 0 (off), got " + v;
  }

  private static String wholeAtLeastOne(double v) {
    return v >= 1 && v <= Integer.MAX_VALUE && v == Math.rint(v) ? null : "must be a whole number >= 1, got " + v;
  }

  private static String modeCode(double v) {
    return v == 0.0 || v == 1.0 || v == 2.0 ? null : "must be 0 (fan-in), 1 (fan-out) or 2 (fan-avg), got " + v;
  }

  private static String distributionCode(double v) {
    return v == 0.0 || v == 1.0 || v == 2.0 ? null : "must be 0 (uniform), 1 (normal) or 2 (truncated-normal), got " + v;
  }

  /** The candidate {@code s} most likely mistyped (same letters ignoring case and separators, or edit distance ≤ 2), or null. */
  static String closest(String s, Iterable<String> candidates) {
    String norm = normalize(s);
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      if (normalize(c).equals(norm)) return c;
      int d = editDistance(s.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best;
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
