package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.random.RandomStream;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Annealed Gaussian gradient noise (Neelakantan et al. 2015, "Adding gradient noise improves
 * learning for very deep networks"): {@code g ← g + N(0, σ_k²)} independently for every element,
 * with the variance {@code σ_k²} a schedule of this transform's step k (0-based). The paper's
 * schedule is {@link Annealed}: {@code σ_k² = η / (1 + k)^γ}, with η ∈ {0.01, 0.3, 1.0} and
 * γ = 0.55; {@link Transforms#gradientNoise(long)} uses η = 0.01.
 *
 * <p><b>Reproducibility.</b> The noise is drawn in Java from the transform's own
 * {@link RandomStream} (xoshiro256**, Box–Muller), seeded by the caller — typically
 * {@code RandomStreams.seedFor(rootSeed, "gradient-noise")} — and uploaded with
 * {@code fromDoubles} in each gradient's type, so every backend adds the same numbers. Draw
 * order: gradients in map order (parameter order), each tensor's elements in row-major order,
 * one standard normal per element, scaled by {@code σ_k} in float64 before the upload. A step
 * whose variance is exactly 0 draws nothing and passes the gradients through. The stream's
 * state is part of the optimizer state ({@link OptimizerState#words()} key {@code "stream"}),
 * so a restored state continues bit for bit.
 *
 * <p>Cost: one Gaussian per gradient element per step on the host (about 10 ns each) and one
 * upload per tensor. State: {@code step} and the stream; updated in place.
 */
public record GradientNoise(Schedule variance, long seed) implements GradientTransform {
  /** The paper's default decay exponent. */
  public static final double DEFAULT_GAMMA = 0.55;
  /** The smallest η of the paper's grid, the usual default. */
  public static final double DEFAULT_ETA = 0.01;
  /** The stream's name, for {@code RandomStreams.seedFor(root, STREAM)}. */
  public static final String STREAM = "gradient-noise";

  public GradientNoise {
    if (variance == null) throw new IllegalArgumentException("noise variance schedule must not be null");
  }

  /** The paper's schedule {@code σ_k² = η / (1 + k)^γ}. */
  public GradientNoise(double eta, double gamma, long seed) {
    this(new Annealed(eta, gamma), seed);
  }

  /** {@code σ_k² = η / (1 + k)^γ} (Neelakantan et al. 2015, eq. 1 with t = k, 0-based). */
  public record Annealed(double eta, double gamma) implements Schedule {
    public Annealed {
      Transforms.nonNegative("eta", eta);
      Transforms.nonNegative("gamma", gamma);
    }

    @Override
    public double at(long step) {
      if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
      return eta / Math.pow(1.0 + step, gamma);
    }

    @Override
    public String toString() {
      return "annealedNoise(eta=" + eta + ", gamma=" + gamma + ")";
    }
  }

  /** The step count and the noise stream (advanced in place by {@link #update}). */
  public static final class State implements OptimizerState {
    private final long step;
    private final RandomStream stream;

    State(long step, RandomStream stream) {
      this.step = step;
      this.stream = stream;
    }

    public long step() {
      return step;
    }

    @Override
    public Map<String, Tensor> tensors() {
      return Map.of();
    }

    @Override
    public Map<String, Double> scalars() {
      return Map.of("step", (double) step);
    }

    /** {@code "stream"}: the five words of {@link RandomStream#state()}, a copy. */
    @Override
    public Map<String, long[]> words() {
      return Map.of("stream", stream.state());
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0, new RandomStream(STREAM, seed));
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    RandomStream stream = new RandomStream(STREAM, seed);
    stream.restore(dict.words("stream"));
    return new State(Transforms.step(dict), stream);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(variance);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("noise_variance", variance.at(((State) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    State s = (State) state;
    double v = Transforms.nonNegative("noise variance", variance.at(s.step), s.step);
    if (v == 0.0) return new Update(gradients, new State(s.step + 1, s.stream));
    double sigma = Math.sqrt(v);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      double[] noise = new double[Math.toIntExact(g.size())];
      for (int i = 0; i < noise.length; i++) noise[i] = sigma * s.stream.nextGaussian();
      Tensor n = g.backend().fromDoubles(g.dtype(), noise, g.shape());
      out.put(e.getKey(), g.backend().add(g, n));
    }
    return new Update(out, new State(s.step + 1, s.stream));
  }
}
