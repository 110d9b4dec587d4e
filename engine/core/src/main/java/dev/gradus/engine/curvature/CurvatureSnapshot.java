package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measurement of the book's ill-conditioning diagnostic (section 8.2.1) on a fixed batch:
 * with {@code g = ∇J(θ)} and {@code H} the Hessian, a gradient step {@code θ − εg} changes the
 * cost by approximately {@code −ε gᵀg + ½ ε² gᵀHg}. When {@code ½ ε² gᵀHg} exceeds
 * {@code ε gᵀg} the step is predicted to increase the cost; the book observes that in neural
 * network training {@code gᵀg} often stays roughly constant while {@code gᵀHg} grows by more
 * than an order of magnitude.
 *
 * @param epoch the epoch after which it was measured (0: before training)
 * @param step optimizer steps taken when it was measured
 * @param learningRate the ε used for {@code predictedChange} (NaN when unknown, and then so is the prediction)
 * @param predictedChange {@code −ε gᵀg + ½ ε² gᵀHg}
 * @param gradientNorm {@code √(gᵀg)}
 */
public record CurvatureSnapshot(int epoch, long step, String phase, double gTg, double gTHg, double learningRate,
    double predictedChange, double gradientNorm) {

  /** Metric names, as {@link #metrics()} keys them. */
  public static final String G_T_G = "curvature.gTg";
  public static final String G_T_H_G = "curvature.gTHg";
  public static final String PREDICTED_CHANGE = "curvature.predictedChange";
  public static final String GRADIENT_NORM = "curvature.gradientNorm";

  /** {@code −ε gᵀg + ½ ε² gᵀHg}. */
  public static double predictedChange(double learningRate, double gTg, double gTHg) {
    return -learningRate * gTg + 0.5 * learningRate * learningRate * gTHg;
  }

  /**
   * Measures at {@code params}: one gradient and one exact Hessian-vector product (with v = g)
   * of {@code objective}. Values only: the tensors it makes belong to the caller's memory scope.
   */
  public static CurvatureSnapshot measure(BatchObjective objective, ParameterSet params, double learningRate, int epoch, long step,
      String phase) {
    Map<String, Tensor> g = objective.gradient(params);
    double gTg = ParameterVectors.dot(g, g);
    double gTHg = ParameterVectors.dot(g, objective.hessianVector(params, g));
    return new CurvatureSnapshot(epoch, step, phase, gTg, gTHg, learningRate, predictedChange(learningRate, gTg, gTHg), Math.sqrt(gTg));
  }

  /**
   * The four metrics by name ({@code curvature.gTg}, {@code curvature.gTHg},
   * {@code curvature.predictedChange}, {@code curvature.gradientNorm}), in that order, for a
   * run record or a report beside the epoch's {@link dev.gradus.engine.train.EpochMetrics}.
   */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(G_T_G, gTg);
    m.put(G_T_H_G, gTHg);
    m.put(PREDICTED_CHANGE, predictedChange);
    m.put(GRADIENT_NORM, gradientNorm);
    return m;
  }
}
