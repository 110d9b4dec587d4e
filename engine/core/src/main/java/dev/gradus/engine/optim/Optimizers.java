package dev.gradus.engine.optim;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/** Ready-made optimizers and the step that applies updates. */
public final class Optimizers {
  private Optimizers() {}

  /** Stochastic gradient descent, Algorithm 8.1: {@code θ ← θ − ε g}. */
  public static GradientTransform sgd(double learningRate) {
    return sgd(Schedule.constant(learningRate));
  }

  public static GradientTransform sgd(Schedule learningRate) {
    return GradientTransform.chain(new ScaleByLearningRate(learningRate));
  }

  /** {@code θ ← θ + u} for every path in {@code updates}, in place. */
  public static void applyUpdates(ParameterSet params, Map<String, Tensor> updates) {
    for (Map.Entry<String, Tensor> e : updates.entrySet()) {
      Parameter p = params.get(e.getKey());
      p.value().backend().addInPlace(p.value(), e.getValue(), 1.0);
    }
  }
}
