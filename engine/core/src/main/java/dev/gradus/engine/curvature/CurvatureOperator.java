package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * A symmetric linear map on parameter vectors, given by its products only: a Hessian, a
 * Gauss-Newton or a Fisher matrix at fixed parameters. {@link #like()} gives the paths, shapes and
 * types of the vectors it acts on.
 */
public interface CurvatureOperator {
  Map<String, Tensor> apply(Map<String, Tensor> v);

  /** A vector (its values irrelevant) shaped like the operator's inputs. */
  Map<String, Tensor> like();

  /** {@code v ↦ H v} of {@code objective} at {@code params} (exact, double backward). */
  static CurvatureOperator hessian(BatchObjective objective, ParameterSet params) {
    return of(params, v -> objective.hessianVector(params, v));
  }

  /** {@code v ↦ G v}, the Gauss-Newton matrix of {@code objective} at {@code params}. */
  static CurvatureOperator gaussNewton(BatchObjective objective, ParameterSet params) {
    return of(params, v -> objective.gaussNewtonVector(params, v));
  }

  /** {@code v ↦ F v}, the empirical Fisher of {@code objective} at {@code params}. */
  static CurvatureOperator empiricalFisher(BatchObjective objective, ParameterSet params) {
    return of(params, v -> objective.empiricalFisherVector(params, v));
  }

  private static CurvatureOperator of(ParameterSet params, java.util.function.UnaryOperator<Map<String, Tensor>> f) {
    Map<String, Tensor> like = ParameterVectors.zeros(params);
    return new CurvatureOperator() {
      @Override
      public Map<String, Tensor> apply(Map<String, Tensor> v) {
        return f.apply(v);
      }

      @Override
      public Map<String, Tensor> like() {
        return like;
      }
    };
  }
}
