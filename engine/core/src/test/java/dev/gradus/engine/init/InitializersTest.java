package dev.gradus.engine.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.init.VarianceScaling.Distribution;
import dev.gradus.engine.init.VarianceScaling.FanMode;
import dev.gradus.engine.nn.Activation;
import dev.gradus.engine.random.RandomStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InitializersTest {
  static final List<String> NAMES = List.of("zeros", "constant", "uniform", "normal", "truncated-normal", "uniform-fan-in",
      "lecun-uniform", "lecun-normal", "glorot-uniform", "glorot-normal", "he-uniform", "he-normal", "orthogonal", "sparse",
      "identity", "variance-scaling");

  /** The smallest valid arguments for each name (its required ones). */
  static Map<String, Double> minimalArgs(String name) {
    return switch (name) {
      case "constant" -> Map.of("value", 0.1);
      case "uniform" -> Map.of("lo", -0.1, "hi", 0.1);
      case "normal", "truncated-normal" -> Map.of("std", 0.1);
      default -> Map.of();
    };
  }

  private static Map<String, Double> args(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1] == null ? null : ((Number) kv[i + 1]).doubleValue());
    return m;
  }

  @Test
  void everyNameConstructsAndSamplesWithAndWithoutTheLayer() {
    assertEquals(NAMES, Initializers.names());
    for (String name : Initializers.names()) {
      Map<String, Double> a = minimalArgs(name);
      assertEquals(List.of(), Initializers.problems(name, a), name);
      assertEquals(List.of(), Initializers.problems(name, a, Activation.TANH, 20, 20), name);
      for (Initializer init : List.of(Initializers.byName(name, a), Initializers.byName(name, a, Activation.TANH, 20, 20))) {
        double[] v = init.sample(new long[] {20, 20}, 20, 20, new RandomStream("init", 1));
        assertEquals(400, v.length, name);
        assertTrue(Arrays.stream(v).allMatch(Double::isFinite), name);
      }
      assertTrue(Initializers.byName(name, a).name().startsWith(name), name + " -> " + Initializers.byName(name, a).name());
    }
  }

  @Test
  void namesBuildTheDocumentedInitializers() {
    assertEquals(Constant.ZEROS, Initializers.byName("zeros", Map.of()));
    assertEquals(new Constant(0.1), Initializers.byName("constant", args("value", 0.1)));
    assertEquals(new Uniform(-1, 2), Initializers.byName("uniform", args("lo", -1, "hi", 2)));
    assertEquals(new Normal(0.5, 0.1), Initializers.byName("normal", args("mean", 0.5, "std", 0.1)));
    assertEquals(new TruncatedNormal(0, 0.1, 3), Initializers.byName("truncated-normal", args("std", 0.1, "bound", 3)));
    assertEquals(new UniformFanIn(), Initializers.byName("uniform-fan-in", null));
    assertEquals(VarianceScaling.lecunUniform(), Initializers.byName("lecun-uniform", Map.of()));
    assertEquals(VarianceScaling.lecunNormal(), Initializers.byName("lecun-normal", Map.of()));
    assertEquals(new GlorotUniform(2.0), Initializers.byName("glorot-uniform", args("gain", 2)));
    assertEquals(new GlorotUniform(1.0), Initializers.byName("glorot-uniform", Map.of()));
    assertEquals(VarianceScaling.glorotNormal(), Initializers.byName("glorot-normal", Map.of()));
    assertEquals(VarianceScaling.heUniform(), Initializers.byName("he-uniform", Map.of()));
    assertEquals(VarianceScaling.heNormal(), Initializers.byName("he-normal", args("gain", 1)));
    assertEquals(Gain.of(VarianceScaling.heNormal(), 0.5), Initializers.byName("he-normal", args("gain", 0.5)));
    assertEquals(new Orthogonal(1.5), Initializers.byName("orthogonal", args("gain", 1.5)));
    assertEquals(new Sparse(10, 0.5), Initializers.byName("sparse", args("k", 10, "scale", 0.5)));
    assertEquals(new Sparse(), Initializers.byName("sparse", Map.of()));
    assertEquals(new Identity(3), Initializers.byName("identity", args("gain", 3)));
    assertEquals(new VarianceScaling(1, FanMode.IN, Distribution.TRUNCATED_NORMAL), Initializers.byName("variance-scaling", Map.of()));
    assertEquals(new VarianceScaling(0.5, FanMode.OUT, Distribution.UNIFORM),
        Initializers.byName("variance-scaling", args("scale", 0.5, "mode", 1, "distribution", 0)));
    assertEquals(new VarianceScaling(2, FanMode.AVERAGE, Distribution.NORMAL),
        Initializers.byName("variance-scaling", args("scale", 2, "mode", 2, "distribution", 1)));
  }

  @Test
  void layerGainsComeFromTheLayersActivationAndWidth() {
    Map<String, Double> fromActivation = args(Initializers.GAIN_FROM_ACTIVATION, 1);
    assertEquals(new Orthogonal(5.0 / 3.0), Initializers.byName("orthogonal", fromActivation, Activation.TANH, 256, 256));
    assertEquals(new GlorotUniform(Math.sqrt(2)), Initializers.byName("glorot-uniform", fromActivation, Activation.RELU, 256, 128));
    assertEquals(new Identity(1.0), Initializers.byName("identity", fromActivation, null, 8, 8));
    assertEquals(Gain.of(VarianceScaling.heUniform(), 5.0 / 3.0), Initializers.byName("he-uniform", fromActivation, Activation.TANH, 8, 8));
    Map<String, Double> randomWalk = args(Initializers.GAIN_RANDOM_WALK, 1);
    assertEquals(Gain.of(VarianceScaling.lecunNormal(), Gains.randomWalkRelu(100)),
        Initializers.byName("lecun-normal", randomWalk, Activation.RELU, 100, 100));
    assertEquals(new Orthogonal(Math.exp(1.0 / 200)), Initializers.byName("orthogonal", randomWalk, Activation.IDENTITY, 100, 50));
    // an explicit gain of 1 and gainFromActivation = 0 change nothing
    assertEquals(VarianceScaling.heNormal(), Initializers.byName("he-normal", args("gain", 1, "gainFromActivation", 0), Activation.TANH, 4, 4));
    // without the layer, the layer gains are accepted by problems() but byName says what it needs
    assertEquals(List.of(), Initializers.problems("orthogonal", fromActivation));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initializers.byName("orthogonal", fromActivation));
    assertEquals("orthogonal with gainFromActivation = 1 needs the layer's activation and fans: "
        + "use Initializers.byName(name, args, activation, fanIn, fanOut)", e.getMessage());
  }

  @Test
  void problemsAreReadableAndNeverThrow() {
    String known = String.join(", ", NAMES);
    assertEquals(List.of("unknown initializer 'he_normal' (did you mean 'he-normal'?); known: " + known),
        Initializers.problems("he_normal", Map.of()));
    assertEquals(List.of("unknown initializer 'kaiming'; known: " + known), Initializers.problems("kaiming", Map.of()));
    assertEquals(List.of("no initializer name; known: " + known), Initializers.problems(null, null));
    assertEquals(List.of("argument 'gian' of glorot-uniform is unknown (did you mean 'gain'?); known: gain, gainFromActivation, gainRandomWalk"),
        Initializers.problems("glorot-uniform", args("gian", 2)));
    assertEquals(List.of("argument 'gain' of zeros is unknown; zeros takes no arguments"), Initializers.problems("zeros", args("gain", 2)));
    assertEquals(List.of("argument 'value' of constant is required"), Initializers.problems("constant", Map.of()));
    assertEquals(List.of("argument 'value' of constant must be finite, got NaN"), Initializers.problems("constant", args("value", Double.NaN)));
    assertEquals(List.of("argument 'std' of normal has no value"), Initializers.problems("normal", args("std", null)));
    assertEquals(List.of("argument 'gain' of orthogonal must be > 0 and finite, got -1.0"), Initializers.problems("orthogonal", args("gain", -1)));
    assertEquals(List.of("argument 'hi' of uniform must be greater than lo (1.0), got 1.0"), Initializers.problems("uniform", args("lo", 1, "hi", 1)));
    assertEquals(List.of("argument 'lo' of uniform is required", "argument 'hi' of uniform is required"), Initializers.problems("uniform", Map.of()));
    assertEquals(List.of("argument 'k' of sparse must be a whole number >= 1, got 2.5"), Initializers.problems("sparse", args("k", 2.5)));
    assertEquals(List.of("argument 'mode' of variance-scaling must be 0 (fan-in), 1 (fan-out) or 2 (fan-avg), got 3.0",
            "argument 'distribution' of variance-scaling must be 0 (uniform), 1 (normal) or 2 (truncated-normal), got -1.0"),
        Initializers.problems("variance-scaling", args("mode", 3, "distribution", -1)));
    assertEquals(List.of("argument 'gainFromActivation' of he-normal must be 1 (on) or 0 (off), got 2.0"),
        Initializers.problems("he-normal", args("gainFromActivation", 2)));
    assertEquals(List.of("argument 'gainFromActivation' of orthogonal cannot be combined with 'gain': set the gain one way"),
        Initializers.problems("orthogonal", args("gain", 2, "gainFromActivation", 1)));
    assertEquals(List.of("argument 'gainRandomWalk' of orthogonal cannot be combined with 'gainFromActivation': set the gain one way"),
        Initializers.problems("orthogonal", args("gainRandomWalk", 1, "gainFromActivation", 1)));
    Map<String, Double> withNullKey = new HashMap<>();
    withNullKey.put(null, 1.0);
    assertEquals(List.of("an argument of he-normal has no name; known: gain, gainFromActivation, gainRandomWalk"),
        Initializers.problems("he-normal", withNullKey));
  }

  @Test
  void layerDependentProblems() {
    assertEquals(List.of(), Initializers.problems("sparse", Map.of()));
    assertEquals(List.of("sparse gives each unit k=15 non-zero incoming weights, but this layer's units have only 10 inputs"),
        Initializers.problems("sparse", Map.of(), Activation.RELU, 10, 64));
    assertEquals(List.of("identity needs a square layer (units = inputs), this one has 10 inputs and 20 units"),
        Initializers.problems("identity", Map.of(), Activation.RELU, 10, 20));
    assertEquals(List.of("argument 'gainRandomWalk' of he-normal is defined (Sussillo & Abbott 2014) for identity (linear) and relu layers, not tanh"),
        Initializers.problems("he-normal", args("gainRandomWalk", 1), Activation.TANH, 10, 20));
    assertEquals(List.of("he-normal needs a layer with fan-in and fan-out >= 1, got fan-in 0, fan-out 20"),
        Initializers.problems("he-normal", Map.of(), Activation.TANH, 0, 20));
    // structured form names the argument (null for the name or the layer) for the DSL's paths
    assertEquals(List.of(new Initializers.Problem("sparse", "k", "must be a whole number >= 1, got 0.0")),
        Initializers.check("sparse", args("k", 0)));
    assertEquals(null, Initializers.check("identity", Map.of(), Activation.RELU, 3, 4).get(0).argument());
    // byName lists them all
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.byName("uniform", args("lo", 2, "hi", 1, "scale", 3)));
    assertEquals("invalid initializer 'uniform': argument 'scale' of uniform is unknown; known: lo, hi, gain, gainFromActivation, "
        + "gainRandomWalk; argument 'hi' of uniform must be greater than lo (2.0), got 1.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Initializers.byName("sparse", Map.of(), Activation.RELU, 10, 10));
  }

  @Test
  void argumentsAndDefaultsAreListed() {
    assertEquals(List.of("k", "scale", "gain", "gainFromActivation", "gainRandomWalk"), Initializers.arguments("sparse"));
    assertEquals(List.of(), Initializers.arguments("zeros"));
    assertEquals(List.of(), Initializers.arguments("nope"));
    assertEquals(Map.of("k", 15.0, "scale", 1.0, "gain", 1.0, "gainFromActivation", 0.0, "gainRandomWalk", 0.0), Initializers.defaults("sparse"));
    assertEquals(Set.of("mean", "bound", "gain", "gainFromActivation", "gainRandomWalk"), Initializers.defaults("truncated-normal").keySet());
    assertFalse(Initializers.defaults("constant").containsKey("value"));
  }

  /** Same seed → identical arrays; another seed → different ones (for every random name). */
  @Test
  void determinismUnderASeed() {
    Set<String> deterministic = Set.of("zeros", "constant", "identity");
    long[] shape = {30, 30}; // square, so identity applies too
    for (String name : Initializers.names()) {
      Initializer init = Initializers.byName(name, minimalArgs(name), Activation.RELU, 30, 30);
      double[] a = init.sample(shape, 30, 30, new RandomStream("init", 42));
      double[] b = init.sample(shape, 30, 30, new RandomStream("init", 42));
      double[] c = init.sample(shape, 30, 30, new RandomStream("init", 43));
      assertArrayEquals(a, b, name + ": same seed");
      if (deterministic.contains(name)) assertArrayEquals(a, c, name);
      else assertFalse(Arrays.equals(a, c), name + ": different seeds gave identical values");
    }
    double[] sq1 = Initializers.byName("identity", Map.of()).sample(new long[] {4, 4}, 4, 4, new RandomStream("init", 1));
    double[] sq2 = Initializers.byName("identity", Map.of()).sample(new long[] {4, 4}, 4, 4, new RandomStream("init", 2));
    assertArrayEquals(sq1, sq2);
  }
}
