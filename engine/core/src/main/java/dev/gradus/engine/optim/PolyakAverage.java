package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Polyak averaging (section 8.7.3; Polyak &amp; Juditsky 1992): the uniform average of the
 * parameter iterates, {@code θ̄ = (1/n) Σ θ⁽ⁱ⁾}, over the iterates produced from update
 * {@code fromStep} on. A pass-through transform: the updates go on unchanged. It must be the
 * last transform of its chain — see {@link ParameterAverager}.
 *
 * <p><b>Indexing.</b> With θ₀ the parameters before the first update and θ_{k+1} = θ_k + u_k the
 * iterate produced by update k (0-based, this transform's own step count), the average after
 * update K ≥ fromStep is {@code (1/n) Σ_{k=fromStep}^{K} θ_{k+1}} with {@code n = K − fromStep + 1}:
 * {@code fromStep = 0} averages every iterate after the first update (θ₀, the initialization,
 * is not included — like torch's {@code AveragedModel.update_parameters} called after each
 * optimizer step). Before update {@code fromStep} there is no average ({@code null}), and no
 * buffers are allocated, so a late start (stochastic weight averaging over the last epochs)
 * costs no memory before it.
 *
 * <p>The running mean is kept in place as {@code θ̄ ← θ̄ + (θ_{k+1} − θ̄)/n}, torch's
 * {@code swa_utils} form, in the parameters' type. State: scalars {@code step}, {@code count}
 * (n) and, once averaging has started, tensors {@code average/<path>}.
 */
public record PolyakAverage(long fromStep) implements ParameterAverager {
  public PolyakAverage {
    if (fromStep < 0) throw new IllegalArgumentException("Polyak averaging start step must be >= 0, got " + fromStep);
  }

  /** The step count, the number of averaged iterates, and the averages (empty while that number is 0). */
  public record State(long step, long count, Map<String, Tensor> averages) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      averages.forEach((path, t) -> out.put("average/" + path, t));
      return out;
    }

    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("step", (double) step);
      out.put("count", (double) count);
      return out;
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0, 0, Map.of());
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    long step = Transforms.step(dict);
    long count = (long) dict.scalar("count");
    Map<String, Tensor> averages = count == 0 ? Map.of() : ParameterAveragerSupport.restoreBuffers(dict, "average", params);
    return new State(step, count, averages);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("polyak_from_step", (double) fromStep);
  }

  @Override
  public Map<String, Tensor> averagedParameters(OptimizerState state) {
    State s = (State) state;
    return s.count() == 0 ? null : Collections.unmodifiableMap(s.averages());
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    State s = (State) state;
    if (s.step() < fromStep) return new Update(gradients, new State(s.step() + 1, 0, Map.of()));
    Map<String, Tensor> averages;
    if (s.count() == 0) {
      averages = new LinkedHashMap<>();
      for (Parameter p : params.all()) averages.put(p.path(), ParameterAveragerSupport.detachedIterate(p, gradients));
    } else {
      averages = s.averages();
      double w = 1.0 / (s.count() + 1);
      for (Parameter p : params.all()) {
        Tensor avg = averages.get(p.path());
        if (avg == null) throw new IllegalStateException("Polyak average has no buffer for parameter '" + p.path() + "'");
        ParameterAveragerSupport.lerpInPlace(avg, ParameterAveragerSupport.iterate(p, gradients), w);
      }
    }
    return new Update(gradients, new State(s.step() + 1, s.count() + 1, averages));
  }

  @Override
  public List<dev.gradus.engine.schedule.Schedule> schedules() {
    return List.of();
  }
}
