package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Newton's method with an explicit curvature matrix, for small models (Goodfellow et al.
 * Algorithm 8.9, Eq. 8.14): the matrix is built from n exact curvature-vector products with unit
 * vectors (the Hessian by double backward unless another {@link FlatProblem.Curvature} is asked
 * for) and eigendecomposed; the step is {@code Δθ = −Σ_i (q_iᵀg / (λ_i + α)) q_i = −(H + αI)⁻¹ g}.
 *
 * <ul>
 *   <li>{@link #plain()}: α = 0, every step taken (Algorithm 8.9 as printed; eigenvalues of
 *       exactly zero are skipped, a pseudo-inverse). Converges to whatever critical point is
 *       near, saddles included.
 *   <li>{@link #levenbergMarquardt}: α adapts: a step that lowers J is taken and α shrinks by
 *       {@code decrease}; one that does not is refused (parameters unchanged) and α grows by
 *       {@code increase}, retried up to {@code maxTrials} times within the step (the curvature
 *       is reused). α is first raised above {@code −λ_min} when H is not positive definite, so
 *       every trial is a descent direction.
 *   <li>{@link #saddleFree}: {@code |H|} in place of H, {@code Δθ = −Σ q_iᵀg / (|λ_i| + α) q_i}
 *       (Dauphin et al. 2014): directions of negative curvature are followed downhill, so the
 *       method moves away from saddle points. α > 0 keeps near-zero eigenvalues harmless;
 *       optionally adaptive as above.
 * </ul>
 *
 * <p>State: scalar {@code damping} (α), {@code refused} (trials refused so far),
 * {@code min_eigenvalue} and {@code max_eigenvalue} of the last matrix.
 */
public final class Newton implements BatchMethod {
  private final FlatProblem.Curvature curvature;
  private final double initialDamping;
  private final boolean adaptive;
  private final boolean absolute;
  private final double decrease;
  private final double increase;
  private final double minDamping;
  private final int maxTrials;

  public Newton(FlatProblem.Curvature curvature, double initialDamping, boolean adaptive, boolean absolute, double decrease,
      double increase, double minDamping, int maxTrials) {
    if (!(initialDamping >= 0)) throw new IllegalArgumentException("damping must be >= 0, got " + initialDamping);
    if (adaptive && !(decrease > 0 && decrease < 1 && increase > 1)) {
      throw new IllegalArgumentException("need 0 < decrease < 1 < increase, got " + decrease + ", " + increase);
    }
    this.curvature = curvature;
    this.initialDamping = initialDamping;
    this.adaptive = adaptive;
    this.absolute = absolute;
    this.decrease = decrease;
    this.increase = increase;
    this.minDamping = minDamping;
    this.maxTrials = maxTrials;
  }

  /** Undamped Newton on the exact Hessian, every step taken. */
  public static Newton plain() {
    return new Newton(FlatProblem.Curvature.HESSIAN, 0, false, false, 0.5, 2, 0, 1);
  }

  /** Damped Newton with Levenberg–Marquardt adaptation: α from {@code initial}, ×1/3 on success, ×10 on failure. */
  public static Newton levenbergMarquardt(double initial) {
    return new Newton(FlatProblem.Curvature.HESSIAN, initial, true, false, 1.0 / 3, 10, 1e-12, 10);
  }

  /** Saddle-free Newton with fixed damping α, every step taken. */
  public static Newton saddleFree(double damping) {
    return new Newton(FlatProblem.Curvature.HESSIAN, damping, false, true, 0.5, 2, 0, 1);
  }

  /**
   * Saddle-free Newton with Levenberg–Marquardt damping: steps that do not lower J are refused and
   * retried with more damping, which tames the huge steps where an eigenvalue of H crosses zero.
   */
  public static Newton saddleFreeAdaptive(double initial) {
    return new Newton(FlatProblem.Curvature.HESSIAN, initial, true, true, 1.0 / 3, 10, 1e-12, 10);
  }

  @Override
  public String describe() {
    String kind = absolute ? "saddle-free-newton" : adaptive ? "levenberg-marquardt-newton" : "newton";
    return kind + "(" + curvature.name().toLowerCase(java.util.Locale.ROOT) + ", damping=" + initialDamping + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("damping", initialDamping).put("refused", 0);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("damping", state.scalar("damping", initialDamping));
    h.put("newton.min_eigenvalue", state.scalar("min_eigenvalue", Double.NaN));
    h.put("newton.max_eigenvalue", state.scalar("max_eigenvalue", Double.NaN));
    return h;
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    double[] x = p.x();
    FlatProblem.Point at = p.evaluate(x);
    double[] g = at.g();
    dev.gradus.engine.diagnostics.SymmetricEigen.Decomposition eig = dev.gradus.engine.diagnostics.SymmetricEigen.decompose(p.matrix(curvature, x));
    double lmin = eig.values()[0];
    double lmax = eig.values()[eig.values().length - 1];
    state.put("min_eigenvalue", lmin).put("max_eigenvalue", lmax);
    double alpha = state.scalar("damping", initialDamping);
    if (!adaptive) {
      double[] xNew = DenseAlgebra.axpy(-1.0, direction(eig, g, alpha), x);
      double fNew = p.value(xNew);
      p.set(xNew);
      return new Result(state, at.f(), fNew, p.evaluations());
    }
    if (!absolute && lmin + alpha <= 0) alpha = -lmin + Math.max(1e-12, 1e-8 * Math.abs(lmax));
    for (int trial = 0; trial < maxTrials; trial++) {
      double[] xNew = DenseAlgebra.axpy(-1.0, direction(eig, g, alpha), x);
      double fNew = p.value(xNew);
      if (fNew < at.f()) {
        p.set(xNew);
        state.put("damping", Math.max(minDamping, alpha * decrease));
        return new Result(state, at.f(), fNew, p.evaluations());
      }
      state.put("refused", state.scalar("refused", 0) + 1);
      alpha = Math.max(alpha * increase, minDamping > 0 ? minDamping : 1e-12);
    }
    p.set(x);
    state.put("damping", alpha);
    return new Result(state, at.f(), at.f(), p.evaluations());
  }

  /** {@code (H + αI)⁻¹ g} (or with |H|) from the eigendecomposition, zero denominators skipped. */
  private double[] direction(dev.gradus.engine.diagnostics.SymmetricEigen.Decomposition eig, double[] g, double alpha) {
    return eig.apply(l -> {
      double den = (absolute ? Math.abs(l) : l) + alpha;
      return den == 0 ? 0 : 1.0 / den;
    }, g);
  }
}
