package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Multiplies by {@code −ε_k}, the learning rate at step k: the step of SGD (Algorithm 8.1) and
 * the last link of most optimizer chains. Its state is the step count k.
 */
public record ScaleByLearningRate(Schedule learningRate) implements StepCountingTransform {
  @Override
  public Map.Entry<String, Schedule> hyperparameter() {
    return Map.entry("lr", learningRate);
  }

  @Override
  public Map<String, Tensor> updates(Map<String, Tensor> gradients, long step, ParameterSet params) {
    double lr = learningRate.at(step);
    return StepCountingTransform.map(gradients, g -> g.backend().scale(g, -lr));
  }
}
