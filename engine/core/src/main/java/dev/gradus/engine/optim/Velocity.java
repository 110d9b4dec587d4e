package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Momentum in the book's velocity form, the learning rate inside the velocity:
 * <pre>
 *   v ← α_t v − ε_t g,   u = v          (θ ← θ + v)
 * </pre>
 * <ul>
 *   <li>{@code nesterov = false}: Algorithm 8.2, SGD with momentum.
 *   <li>{@code nesterov = true}: Algorithm 8.3, SGD with Nesterov momentum: g must be the
 *       gradient at the interim point {@code θ̃ = θ + α_t v}. A transform only sees the
 *       gradient it is given, so this one is a {@link LookAhead}: its
 *       {@link #lookAheadOffsets offsets} are {@code α_t v}, and the caller computes the gradient
 *       through {@link LookAhead#gradientAt}. The interim point is used for the gradient only;
 *       θ itself moves by v from where it was (Sutskever et al. 2013, eq. 8.16–8.17; read
 *       literally, the box's "apply interim update θ ← θ + αv" followed by θ ← θ + v would add
 *       αv twice).
 * </ul>
 * After {@link ScaleByRms} (without ε it is the book's 1/√r) it gives RMSProp with momentum, and
 * with {@code nesterov = true} Algorithm 8.6, RMSProp with Nesterov momentum. Without a
 * look-ahead caller, {@code nesterov = true} silently degrades to classic momentum, so trainers
 * must honour {@link LookAhead}.
 *
 * <p>Buffer: {@code velocity/<path>}. Hyperparameters: {@code lr}, {@code momentum}.
 */
public record Velocity(Schedule learningRate, Schedule momentum, boolean nesterov) implements BufferedTransform, LookAhead {
  public static final String BUFFER = "velocity";

  public Velocity(double learningRate, double momentum, boolean nesterov) {
    this(Schedule.constant(learningRate), Schedule.constant(momentum), nesterov);
  }

  @Override
  public String[] bufferNames() {
    return new String[] {BUFFER};
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("lr", learningRate), Map.entry("momentum", momentum));
  }

  /**
   * {@code α_t v} for every trainable parameter with a velocity, where t is the next update's
   * step; empty for the classic form and before the first update (v = 0).
   */
  @Override
  public Map<String, Tensor> lookAheadOffsets(OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    if (!nesterov || s.step() == 0) return Map.of();
    double alpha = momentum.at(s.step());
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Parameter p : params.trainable()) {
      if (!s.has(BUFFER, p.path())) continue;
      Tensor v = s.buffer(BUFFER, p.path());
      out.put(p.path(), v.backend().scale(v, alpha));
    }
    return out;
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    long t = s.step();
    double alpha = momentum.at(t);
    double lr = learningRate.at(t);
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor v = s.buffer(BUFFER, path);
      be.scaleInPlace(v, alpha);
      be.addInPlace(v, g, -lr);
      return be.scale(v, 1.0);
    });
  }
}
