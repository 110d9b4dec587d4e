package dev.gradus.engine.curvature;

import dev.gradus.engine.nn.Parameter;
import dev.gradus.engine.nn.ParameterSet;
import dev.gradus.engine.tensor.DType;
import dev.gradus.engine.tensor.Tensor;
import java.util.Map;

/**
 * Hessian-vector products by central differences of gradients,
 * {@code H v ≈ (∇J(θ + h v) − ∇J(θ − h v)) / 2h}, error {@code O(h²)} plus rounding of order
 * {@code ε‖∇J‖/h}. A fallback for models with an operation that has no differentiable VJP, and
 * an independent check of {@link BatchObjective#hessianVector}.
 *
 * <p>The default step balances the two errors: {@code h = ε^{1/3} · max(1, ‖θ‖) / ‖v‖} with ε
 * the machine epsilon of the parameters' type (float64: h·‖v‖ ≈ 6e-6·max(1, ‖θ‖); float32:
 * ≈ 5e-3·max(1, ‖θ‖)), so the parameter perturbation is small relative to the parameters
 * whatever the scale of v. Every result is checked to be finite.
 */
public final class FiniteDifferenceHvp {
  private FiniteDifferenceHvp() {}

  /** A product and its estimated error: {@code ‖D(h) − D(h/2)‖ / 3} (Richardson's estimate for an O(h²) rule). */
  public record Estimate(Map<String, Tensor> product, double step, double errorEstimate) {}

  /** The default step for {@code v} at {@code params} (see the class comment). */
  public static double defaultStep(ParameterSet params, Map<String, Tensor> v) {
    ParameterVectors.requireMatches(params, v, "the vector");
    double vn = ParameterVectors.norm(v);
    if (!(vn > 0) || !Double.isFinite(vn)) throw new IllegalArgumentException("the vector must be finite and non-zero, its norm is " + vn);
    double theta = ParameterVectors.norm(ParameterVectors.values(params));
    boolean single = params.trainable().stream().anyMatch(p -> p.value().dtype() == DType.FLOAT32);
    double eps = single ? Math.ulp(1.0f) : Math.ulp(1.0);
    return Math.cbrt(eps) * Math.max(1.0, theta) / vn;
  }

  /** {@code H v} with the {@link #defaultStep}. */
  public static Map<String, Tensor> hessianVector(BatchObjective objective, ParameterSet params, Map<String, Tensor> v) {
    return hessianVector(objective, params, v, defaultStep(params, v));
  }

  /**
   * {@code (∇J(θ + h v) − ∇J(θ − h v)) / 2h}.
   *
   * @throws IllegalArgumentException if h is not positive and finite, v not finite or zero, or
   *     the step fails {@link #validateStep}
   * @throws ArithmeticException if the result is not finite (h too large for the model's range)
   */
  public static Map<String, Tensor> hessianVector(BatchObjective objective, ParameterSet params, Map<String, Tensor> v, double h) {
    ParameterVectors.requireMatches(params, v, "the vector");
    if (!(h > 0) || !Double.isFinite(h)) throw new IllegalArgumentException("the step must be positive and finite, got " + h);
    if (!ParameterVectors.allFinite(v)) throw new IllegalArgumentException("the vector has non-finite entries");
    validateStep(params, v, h);
    Map<String, Tensor> plus = objective.gradient(shifted(params, v, h));
    Map<String, Tensor> minus = objective.gradient(shifted(params, v, -h));
    Map<String, Tensor> hv = ParameterVectors.scale(1.0 / (2 * h), ParameterVectors.axpy(-1.0, minus, plus));
    if (!ParameterVectors.allFinite(hv)) {
      throw new ArithmeticException("the finite-difference Hessian-vector product with step " + h + " is not finite");
    }
    return hv;
  }

  /** {@code H v} at step h/2 with its error estimated from the difference with step h ({@link #defaultStep} when h is NaN). */
  public static Estimate estimate(BatchObjective objective, ParameterSet params, Map<String, Tensor> v, double h) {
    double step = Double.isNaN(h) ? defaultStep(params, v) : h;
    Map<String, Tensor> coarse = hessianVector(objective, params, v, step);
    Map<String, Tensor> fine = hessianVector(objective, params, v, step / 2);
    double err = ParameterVectors.norm(ParameterVectors.axpy(-1.0, fine, coarse)) / 3;
    return new Estimate(fine, step / 2, err);
  }

  /**
   * Rejects a step whose perturbation {@code h‖v‖} is larger than {@code max(1, ‖θ‖)} (no longer
   * a local derivative) or below {@code 4ε·max(1, ‖θ‖)} (lost to rounding in {@code θ ± h v}).
   */
  static void validateStep(ParameterSet params, Map<String, Tensor> v, double h) {
    double vn = ParameterVectors.norm(v);
    if (!(vn > 0) || !Double.isFinite(vn)) throw new IllegalArgumentException("the vector must be finite and non-zero, its norm is " + vn);
    double scale = Math.max(1.0, ParameterVectors.norm(ParameterVectors.values(params)));
    boolean single = params.trainable().stream().anyMatch(p -> p.value().dtype() == DType.FLOAT32);
    double eps = single ? Math.ulp(1.0f) : Math.ulp(1.0);
    double rel = h * vn / scale;
    if (rel > 1) {
      throw new IllegalArgumentException("step " + h + " moves the parameters by " + h * vn + ", more than max(1, ‖θ‖) = " + scale
          + ": not a local derivative; use about " + defaultStep(params, v));
    }
    if (rel < 4 * eps) {
      throw new IllegalArgumentException("step " + h + " moves the parameters by " + h * vn + ", below rounding of max(1, ‖θ‖) = "
          + scale + "; use about " + defaultStep(params, v));
    }
  }

  /** A parameter set whose trainable parameters are {@code θ + α v} (new tensors); frozen ones and buffers shared. */
  static ParameterSet shifted(ParameterSet params, Map<String, Tensor> v, double alpha) {
    ParameterSet out = new ParameterSet();
    for (Parameter p : params.all()) {
      Tensor d = v.get(p.path());
      out.add(p.trainable() && d != null ? p.withValue(p.value().backend().add(p.value(), p.value().backend().scale(d, alpha))) : p);
    }
    for (Parameter b : params.buffers()) out.add(b);
    return out;
  }
}
