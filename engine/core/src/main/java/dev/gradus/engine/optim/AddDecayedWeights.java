package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
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
public record AddDecayedWeights(Schedule weightDecay) implements StepCountingTransform {
  public AddDecayedWeights(double weightDecay) {
    this(Schedule.constant(weightDecay));
  }

  /** The step of {@code dict}, as it is, and no tensors in it: {@link TransformState#restore} without buffers. */
  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return TransformState.restore(dict, params);
  }

  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("weight_decay", weightDecay);
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double lambda = weightDecay.at(step);
    if (lambda == 0.0) return gradients;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      Backend be = g.backend();
      // g + λ·θ, in torch's order of operations (grad.add(param, alpha=λ))
      out.put(e.getKey(), be.add(g, be.scale(params.get(e.getKey()).value(), lambda)));
    }
    return out;
  }
}
