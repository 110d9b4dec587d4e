package dev.gradus.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.random.RandomStreams;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import dev.gradus.engine.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Annealed Gaussian gradient noise (Neelakantan et al. 2015), ReferenceBackend in float64. */
class GradientNoiseTest {
  private final Backend be = new ReferenceBackend();
  private final long seed = RandomStreams.seedFor(42, GradientNoise.STREAM);

  private ParameterSet params(Map<String, Tensor> like) {
    ParameterSet ps = new ParameterSet();
    like.forEach((k, v) -> ps.add(new Parameter(k, be.detach(be.zeros(v.dtype(), v.shape())), true)));
    return ps;
  }

  private Map<String, Tensor> grads(double[] w, double[] b) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("w", be.fromDoubles(w, 1, w.length));
    m.put("b", be.fromDoubles(b, b.length));
    return m;
  }

  @Test
  void annealingFormula() {
    GradientNoise.Annealed s = new GradientNoise.Annealed(0.01, 0.55);
    assertEquals(0.01, s.at(0), 0.0); // 0.01 / 1^0.55
    assertEquals(0.0028183829312644535, s.at(9), 1e-18); // 0.01 / 10^0.55 = 0.01 · 0.28183829…
    assertEquals(0.0007899930024104053, s.at(100), 1e-18); // 0.01 / 101^0.55
    assertEquals(1.0 / Math.sqrt(4.0), new GradientNoise.Annealed(1.0, 0.5).at(3), 0.0); // 1 / 4^0.5 = 0.5
    GradientNoise defaults = (GradientNoise) Transforms.gradientNoise(seed);
    assertEquals(new GradientNoise.Annealed(0.01, 0.55), defaults.variance());
    assertThrows(IllegalArgumentException.class, () -> new GradientNoise.Annealed(-0.01, 0.55));
  }

  @Test
  void noiseIsTheStreamsGaussiansTimesSigmaInParameterThenRowMajorOrder() {
    GradientTransform noise = Transforms.gradientNoise(step -> 0.25, seed); // σ = 0.5
    Map<String, Tensor> g = grads(new double[] {1, 2, 3}, new double[] {10, 20});
    ParameterSet ps = params(g);
    Map<String, Tensor> u = noise.update(g, noise.init(ps), ps).updates();
    RandomStream r = new RandomStream(GradientNoise.STREAM, seed);
    double[] w = u.get("w").toDoubles();
    double[] b = u.get("b").toDoubles();
    for (int i = 0; i < 3; i++) assertEquals((i + 1) + 0.5 * r.nextGaussian(), w[i], 0.0);
    for (int i = 0; i < 2; i++) assertEquals(10 * (i + 1) + 0.5 * r.nextGaussian(), b[i], 0.0);
    assertArrayEquals(new long[] {1, 3}, u.get("w").shape());
  }

  /** Sample mean and variance of the noise over n draws at step {@code step} of the default schedule. */
  private double[] moments(int step, int n) {
    GradientTransform noise = Transforms.gradientNoise(seed);
    Map<String, Tensor> small = new LinkedHashMap<>(Map.of("b", be.fromDoubles(new double[] {0.0}, 1)));
    ParameterSet ps = params(small);
    OptimizerState s = noise.init(ps);
    for (int k = 0; k < step; k++) s = noise.update(small, s, ps).state(); // advance to step `step`
    Map<String, Tensor> big = new LinkedHashMap<>(Map.of("b", be.fromDoubles(new double[n], n)));
    assertEquals(GradientNoise.DEFAULT_ETA / Math.pow(1 + step, 0.55), noise.hyperparameters(s).get("noise_variance"), 0.0);
    double[] x = noise.update(big, s, ps).updates().get("b").toDoubles();
    double mean = Arrays.stream(x).sum() / n;
    double var = 0;
    for (double v : x) var += (v - mean) * (v - mean);
    return new double[] {mean, var / (n - 1)};
  }

  @Test
  void meanAndVarianceMatchTheScheduleAtSteps0And100() {
    // n = 200 000 zero gradients. Gaussian noise of variance σ²: the sample mean has standard
    // deviation σ/√n and the sample variance σ²·√(2/(n−1)) (= 0.32% of σ²). The seed is fixed, so
    // the test is deterministic; the 5-standard-deviation bounds (mean: 5σ/√n; variance: ±1.6%)
    // would hold for all but ~1 in 10⁶ seeds, i.e. they check the generator and σ, not luck.
    int n = 200_000;
    for (int step : new int[] {0, 100}) {
      double sigma2 = 0.01 / Math.pow(1 + step, 0.55); // step 0: 0.01; step 100: 0.0007899930024104053
      double[] m = moments(step, n);
      assertTrue(Math.abs(m[0]) < 5 * Math.sqrt(sigma2 / n), "step " + step + " mean " + m[0]);
      assertEquals(sigma2, m[1], 5 * sigma2 * Math.sqrt(2.0 / (n - 1)), "step " + step + " variance");
    }
  }

  private List<double[]> run(GradientTransform noise, OptimizerState s, ParameterSet ps, int steps, List<OptimizerState> last) {
    List<double[]> out = new ArrayList<>();
    for (int k = 0; k < steps; k++) {
      // 3 + 2 elements per step: an odd count, so a Box–Muller spare is pending between steps
      GradientTransform.Update u = noise.update(grads(new double[] {1, 2, 3}, new double[] {4, 5}), s, ps);
      out.add(u.updates().get("w").toDoubles());
      out.add(u.updates().get("b").toDoubles());
      s = u.state();
    }
    last.add(s);
    return out;
  }

  @Test
  void sameSeedSameNoiseOtherSeedOtherNoise() {
    ParameterSet ps = params(grads(new double[3], new double[2]));
    GradientTransform a = Transforms.gradientNoise(seed);
    GradientTransform b = Transforms.gradientNoise(seed);
    GradientTransform c = Transforms.gradientNoise(RandomStreams.seedFor(43, GradientNoise.STREAM));
    List<double[]> ra = run(a, a.init(ps), ps, 4, new ArrayList<>());
    List<double[]> rb = run(b, b.init(ps), ps, 4, new ArrayList<>());
    List<double[]> rc = run(c, c.init(ps), ps, 4, new ArrayList<>());
    for (int i = 0; i < ra.size(); i++) assertArrayEquals(ra.get(i), rb.get(i), 0.0);
    assertFalse(Arrays.equals(ra.get(0), rc.get(0)));
    // init twice gives two fresh streams: the second run repeats the first
    List<double[]> again = run(a, a.init(ps), ps, 4, new ArrayList<>());
    for (int i = 0; i < ra.size(); i++) assertArrayEquals(ra.get(i), again.get(i), 0.0);
  }

  @Test
  void restoreContinuesBitForBit() {
    GradientTransform noise = Transforms.gradientNoise(0.3, 0.55, seed);
    ParameterSet ps = params(grads(new double[3], new double[2]));
    List<OptimizerState> end = new ArrayList<>();
    run(noise, noise.init(ps), ps, 3, end);
    StateDict dict = StateDict.of(end.get(0));
    assertEquals(Map.of("step", 3.0), dict.scalars());
    assertEquals(5, dict.words("stream").length);
    List<double[]> straight = run(noise, end.get(0), ps, 2, new ArrayList<>());
    List<OptimizerState> restoredEnd = new ArrayList<>();
    OptimizerState restored = noise.restore(dict, ps);
    assertTrue(StateDict.of(restored).sameAs(dict));
    List<double[]> resumed = run(noise, restored, ps, 2, restoredEnd);
    for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), 0.0);
    // step 3, then two more updates
    assertEquals(5.0, StateDict.of(restoredEnd.get(0)).scalar("step"), 0.0);
  }

  @Test
  void restoreWorksInsideAChain() {
    GradientTransform opt = GradientTransform.chain(Transforms.gradientNoise(seed), Optimizers.sgd(0.1));
    ParameterSet ps = params(grads(new double[3], new double[2]));
    List<OptimizerState> end = new ArrayList<>();
    run(opt, opt.init(ps), ps, 1, end);
    StateDict dict = StateDict.of(end.get(0));
    List<double[]> straight = run(opt, end.get(0), ps, 3, new ArrayList<>());
    List<double[]> resumed = run(opt, opt.restore(dict, ps), ps, 3, new ArrayList<>());
    for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), 0.0);
  }

  @Test
  void float32GradientsGetFloat32Noise() {
    GradientTransform noise = Transforms.gradientNoise(step -> 1.0, seed);
    Map<String, Tensor> g = new LinkedHashMap<>(Map.of("w", be.fromFloats(new float[] {0f, 0f}, 2)));
    ParameterSet ps = params(g);
    Tensor u = noise.update(g, noise.init(ps), ps).updates().get("w");
    assertEquals(DType.FLOAT32, u.dtype());
    RandomStream r = new RandomStream(GradientNoise.STREAM, seed);
    assertEquals((float) r.nextGaussian(), u.toFloats()[0]);
  }

  @Test
  void zeroVarianceDrawsNothingAndNegativeVarianceIsAnError() {
    GradientTransform noise = Transforms.gradientNoise(step -> step == 0 ? 0.0 : -1.0, seed);
    Map<String, Tensor> g = grads(new double[] {1, 2, 3}, new double[] {4, 5});
    ParameterSet ps = params(g);
    GradientTransform.Update u = noise.update(g, noise.init(ps), ps);
    assertSame(g.get("w"), u.updates().get("w"));
    assertArrayEquals(new RandomStream(GradientNoise.STREAM, seed).state(), StateDict.of(u.state()).words("stream"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noise.update(g, u.state(), ps));
    assertTrue(e.getMessage().contains("at step 1"), e.getMessage());
  }
}
