package dev.gradus.engine.optim;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.MemoryScope;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Runs an optimizer on a {@link TestProblems.Objective} with exact (full) gradients until
 * {@code f(x) − f* ≤ tolerance}, and reports how many updates that took: the measure of the
 * convergence tests and of the steps-to-tolerance tables. Honours {@link LookAhead} (the
 * gradient is taken at the look-ahead point, the tolerance is checked at x itself).
 */
public final class StepsToTolerance {
  private StepsToTolerance() {}

  /**
   * The outcome: {@code steps} updates were made; {@code reached} tells whether the gap
   * {@code f(x) − f*} got to the tolerance (false also when it became non-finite);
   * {@code gap} and {@code x} are the final ones.
   */
  public record Result(String objective, long steps, boolean reached, double gap, double[] x) {
    @Override
    public String toString() {
      return objective + ": " + (reached ? "reached" : "NOT reached") + " after " + steps + " steps, gap " + gap;
    }
  }

  /** In float64. */
  public static Result run(Backend backend, GradientTransform optimizer, TestProblems.Objective objective, double tolerance, long maxSteps) {
    return run(backend, DType.FLOAT64, optimizer, objective, tolerance, maxSteps);
  }

  public static Result run(
      Backend backend, DType dtype, GradientTransform optimizer, TestProblems.Objective objective, double tolerance, long maxSteps) {
    boolean lookAhead = LookAhead.present(optimizer);
    try (ParameterSet params = objective.parameters(backend, dtype)) {
      OptimizerState state = optimizer.init(params);
      for (long k = 0; ; k++) {
        try (MemoryScope scope = backend.openScope()) {
          double f;
          Map<String, Tensor> grads = null;
          if (lookAhead) {
            f = objective.evaluate(params);
          } else {
            TestProblems.Evaluation e = objective.evaluateWithGradient(params);
            f = e.loss();
            grads = e.gradients();
          }
          double gap = f - objective.minimum();
          if (!Double.isFinite(gap) || gap <= tolerance || k >= maxSteps) {
            return new Result(objective.name(), k, Double.isFinite(gap) && gap <= tolerance, gap,
                params.get(TestProblems.PATH).value().toDoubles());
          }
          if (lookAhead) {
            OptimizerState s = state;
            grads = LookAhead.gradientAt(optimizer, s, params, () -> objective.evaluateWithGradient(params).gradients());
          }
          GradientTransform.Update u = optimizer.update(grads, state, params);
          Optimizers.applyUpdates(params, u.updates());
          state = u.state();
        }
      }
    }
  }
}
