package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Momentum in PyTorch's formulation (torch.optim.SGD), without the learning rate:
 * <pre>
 *   b ← μ_t b + (1 − τ_t) g        (on the first update b ← g, as torch does)
 *   u = b                          (nesterov = false: heavy ball)
 *   u = g + μ_t b                  (nesterov = true: Sutskever's Nesterov form, gradient at θ)
 * </pre>
 * followed in a chain by {@link ScaleByLearningRate}, so {@code θ ← θ − ε_t u}. With constant
 * ε and τ = 0 it is the book's Algorithm 8.2 ({@code v = −ε b}); with a schedule for ε the two
 * differ (here ε scales the whole buffer at each step, in {@link Velocity} only the new
 * gradient). {@code nesterov = true} is torch's {@code nesterov=True}, the reformulation of
 * Algorithm 8.3 in which the stored variable is the look-ahead point; the book's own form,
 * with the gradient taken at the interim point, is {@link Velocity} with {@code nesterov = true}.
 *
 * <p>Named after Optax's {@code trace}. Buffer: {@code momentum/<path>}. Hyperparameters:
 * {@code momentum}, {@code dampening}.
 */
public record Trace(Schedule momentum, Schedule dampening, boolean nesterov) implements BufferedTransform {
  public static final String BUFFER = "momentum";

  public Trace(double momentum, double dampening, boolean nesterov) {
    this(Schedule.constant(momentum), Schedule.constant(dampening), nesterov);
  }

  /** Heavy-ball momentum without dampening. */
  public Trace(double momentum) {
    this(momentum, 0.0, false);
  }

  @Override
  public String[] bufferNames() {
    return new String[] {BUFFER};
  }

  @Override
  public List<Map.Entry<String, Schedule>> namedSchedules() {
    return List.of(Map.entry("momentum", momentum), Map.entry("dampening", dampening));
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, TransformState s, ParameterSet params) {
    long t = s.step();
    double mu = momentum.at(t);
    double tau = dampening.at(t);
    return BufferedTransform.map(gradients, (path, g, be) -> {
      Tensor b = s.buffer(BUFFER, path);
      if (t == 0) {
        be.copyInto(b, g);
      } else {
        be.scaleInPlace(b, mu);
        be.addInPlace(b, g, 1.0 - tau);
      }
      // never hand out the buffer itself: updates are the caller's to keep or change
      return nesterov ? be.add(g, be.scale(b, mu)) : be.scale(b, 1.0);
    });
  }
}
