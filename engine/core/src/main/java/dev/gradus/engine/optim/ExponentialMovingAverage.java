package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exponential moving average of the parameter iterates (section 8.7.3: Polyak averaging for
 * non-convex problems, {@code θ̂ ← α θ̂ + (1 − α) θ}), with the decay α_k a schedule of this
 * transform's step k (0-based), 0 ≤ α_k ≤ 1. A pass-through transform that must be the last of
 * its chain — see {@link ParameterAverager}; it averages the new iterate {@code θ_{k+1} = θ_k + u_k}.
 *
 * <p>Two initializations:
 * <ul>
 *   <li>{@code debias = false} (default) — torch's {@code swa_utils} semantics
 *       ({@code AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(α))}): the first update copies
 *       the iterate, {@code θ̂ = θ₁}; later updates do {@code θ̂ ← θ̂ + (1 − α_k)(θ_{k+1} − θ̂)}
 *       (torch's {@code lerp_}, exact for a parameter that does not move).
 *   <li>{@code debias = true} — Optax's {@code ema(decay, debias=True)}, Adam-style bias correction:
 *       θ̂ starts at 0, follows the same recursion from the first update, and the average
 *       reported is {@code θ̂ / (1 − Π α_i)} over the updates so far (for a constant α:
 *       {@code 1 − α^n}). The reported values are then new tensors, made in the caller's scope.
 * </ul>
 * A schedule that is 0 for the first steps delays the start: each of those steps just copies
 * the iterate. State: scalars {@code step}, {@code count} (and {@code decay_product} when
 * debiasing); tensors {@code ema/<path>} once the first update has been made.
 */
public record ExponentialMovingAverage(Schedule decay, boolean debias) implements ParameterAverager {
  public ExponentialMovingAverage {
    if (decay == null) throw new IllegalArgumentException("EMA decay schedule must not be null");
  }

  /** torch {@code swa_utils} semantics (no bias correction). */
  public ExponentialMovingAverage(Schedule decay) {
    this(decay, false);
  }

  /** torch {@code swa_utils} semantics (no bias correction). */
  public ExponentialMovingAverage(double decay) {
    this(Schedule.constant(checkDecay(decay, 0)), false);
  }

  /** The step count, the number of averaged iterates, Π α_i, and the buffers (empty before the first update). */
  public record State(long step, long count, double decayProduct, Map<String, Tensor> averages, boolean debias)
      implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      averages.forEach((path, t) -> out.put("ema/" + path, t));
      return out;
    }

    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("step", (double) step);
      out.put("count", (double) count);
      if (debias) out.put("decay_product", decayProduct);
      return out;
    }
  }

  static double checkDecay(double d, long step) {
    if (!(d >= 0.0 && d <= 1.0)) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + d + " at step " + step);
    }
    return d;
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0, 0, 1.0, Map.of(), debias);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    long step = Transforms.step(dict);
    long count = (long) dict.scalar("count");
    double product = debias ? dict.scalar("decay_product") : 1.0;
    Map<String, Tensor> averages = count == 0 ? Map.of() : ParameterAveragerSupport.restoreBuffers(dict, "ema", params);
    return new State(step, count, product, averages, debias);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(decay);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("ema_decay", decay.at(((State) state).step()));
  }

  @Override
  public Map<String, Tensor> averagedParameters(OptimizerState state) {
    State s = (State) state;
    if (s.count() == 0) return null;
    if (!debias) return Collections.unmodifiableMap(s.averages());
    double correction = 1.0 - s.decayProduct();
    if (correction == 0.0) return null; // every decay so far was 1: nothing has been averaged in
    Map<String, Tensor> out = new LinkedHashMap<>();
    s.averages().forEach((path, t) -> out.put(path, t.backend().scale(t, 1.0 / correction)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    State s = (State) state;
    double a = checkDecay(decay.at(s.step()), s.step());
    Map<String, Tensor> averages;
    if (s.count() == 0 && !debias) {
      averages = new LinkedHashMap<>();
      for (Parameter p : params.all()) averages.put(p.path(), ParameterAveragerSupport.detachedIterate(p, gradients));
    } else {
      if (s.count() == 0) {
        averages = new LinkedHashMap<>();
        for (Parameter p : params.all()) {
          Backend be = p.value().backend();
          averages.put(p.path(), be.detach(be.zeros(p.value().dtype(), p.value().shape())));
        }
      } else {
        averages = s.averages();
      }
      for (Parameter p : params.all()) {
        Tensor avg = averages.get(p.path());
        if (avg == null) throw new IllegalStateException("EMA has no buffer for parameter '" + p.path() + "'");
        ParameterAveragerSupport.lerpInPlace(avg, ParameterAveragerSupport.iterate(p, gradients), 1.0 - a);
      }
    }
    double product = debias ? s.decayProduct() * a : 1.0;
    return new Update(gradients, new State(s.step() + 1, s.count() + 1, product, averages, debias));
  }
}
