package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multiplies by {@code −ε_k}, the learning rate at step k: the step of SGD (Algorithm 8.1) and
 * the last link of most optimizer chains. Its state is the step count k.
 */
public record ScaleByLearningRate(Schedule learningRate) implements GradientTransform {
  /** The number of updates made so far. */
  public record State(long step) implements OptimizerState {
    @Override
    public Map<String, Tensor> tensors() {
      return Map.of();
    }

    @Override
    public Map<String, Double> scalars() {
      return Map.of("step", (double) step);
    }
  }

  @Override
  public OptimizerState init(ParameterSet params) {
    return new State(0);
  }

  @Override
  public OptimizerState restore(StateDict dict, ParameterSet params) {
    return new State((long) dict.scalar("step"));
  }

  @Override
  public java.util.List<Schedule> schedules() {
    return java.util.List.of(learningRate);
  }

  @Override
  public Map<String, Double> hyperparameters(OptimizerState state) {
    return Map.of("lr", learningRate.at(((State) state).step()));
  }

  @Override
  public Update update(Map<String, Tensor> gradients, OptimizerState state, ParameterSet params) {
    long step = ((State) state).step();
    double lr = learningRate.at(step);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      Tensor g = e.getValue();
      out.put(e.getKey(), g.backend().scale(g, -lr));
    }
    return new Update(out, new State(step + 1));
  }
}
