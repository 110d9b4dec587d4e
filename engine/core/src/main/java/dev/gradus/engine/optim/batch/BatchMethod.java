package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.optim.StateDict;
import java.util.Map;

/**
 * An optimization method that needs the objective itself, not just a gradient: values at trial
 * points (line searches, trust-region checks) and curvature-vector products (Newton,
 * Hessian-free, natural gradient). The counterpart of
 * {@link dev.gradus.engine.optim.GradientTransform} for batch and second-order methods
 * (Goodfellow et al. 8.5–8.7): {@link #init} makes the state; {@link #step} updates the
 * trainable parameters <em>in place</em> (as {@link dev.gradus.engine.optim.Optimizers#applyUpdates}
 * does) and returns the next state with what the step cost.
 *
 * <p>States are plain data under stable names ({@link BatchState}), saved as a
 * {@link StateDict} with {@link BatchState#toStateDict()} and restored with {@link #restore}.
 * Ownership is linear: the state passed to {@code step} must not be used again.
 */
public interface BatchMethod {
  /** A stable, human-readable name with the main settings ("lbfgs(m=100, strong-wolfe)"). */
  String describe();

  BatchState init(ParameterSet params);

  /**
   * One iteration (for methods with an inner loop, such as L-BFGS with {@code maxIter > 1}, one
   * call of the outer step) on {@code objective}, moving {@code params} in place.
   */
  Result step(Objective objective, ParameterSet params, BatchState state);

  /** The hyperparameters in force for the next step (damping, step length…), keyed stably, for logs. */
  default Map<String, Double> hyperparameters(BatchState state) {
    return Map.of();
  }

  /** A state equal to the one {@code dict} was taken from. */
  default BatchState restore(StateDict dict, ParameterSet params) {
    return BatchState.fromStateDict(dict);
  }

  /**
   * What a step did: the next state, the objective before the step and after it (NaN when the
   * method did not evaluate it, e.g. L-BFGS without line search), and the evaluations made.
   */
  record Result(BatchState state, double lossBefore, double lossAfter, Evaluations evaluations) {}
}
