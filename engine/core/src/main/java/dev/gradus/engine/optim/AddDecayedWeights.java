package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds {@code λ_t θ} to the incoming updates: {@code u = g + λ_t θ}.
 *
 * <p>First in a chain it is coupled L2 weight decay, the gradient of {@code ½λ‖θ‖²}: what
 * torch.optim's {@code weight_decay} does in SGD, Adagrad, RMSprop, Adam and Adadelta. Placed
 * after an adaptive scaling and before {@link ScaleByLearningRate} it is decoupled weight
 * decay (AdamW: {@code θ ← θ − ε(adam(g) + λθ)}, Loshchilov &amp; Hutter). With {@code λ_t = 0}
 * the updates pass through unchanged. Hyperparameter: {@code weight_decay}.
 */
public record AddDecayedWeights(Schedule weightDecay) implements GradientTransform {
  public AddDecayedWeights(double weightDecay) {
    this(Schedule.constant(weightDecay));
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return TransformState.counter(0);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params);
  }

  @Override
  public List<Schedule> schedules() {
    return List.of(weightDecay);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("weight_decay", weightDecay.at(((TransformState) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    TransformState s = (TransformState) state;
    double lambda = weightDecay.at(s.step());
    if (lambda == 0.0) return new Update(gradients, s.next());
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      Backend be = g.backend();
      // g + λ·θ, in torch's order of operations (grad.add(param, alpha=λ))
      out.put(e.getKey(), be.add(g, be.scale(params.get(e.getKey()).value(), lambda)));
    }
    return new Update(out, s.next());
  }
}
