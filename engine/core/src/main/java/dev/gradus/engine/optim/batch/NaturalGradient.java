package dev.gradus.engine.optim.batch;

import dev.gradus.engine.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Natural gradient descent (Goodfellow et al. 8.6): {@code θ ← θ − η (F + λI)⁻¹ g} with F the
 * Fisher information of the model's predictive distribution ({@link FlatProblem.Curvature#FISHER},
 * equal to the Gauss-Newton matrix for softmax and sigmoid cross-entropy) or the empirical Fisher
 * ({@link FlatProblem.Curvature#EMPIRICAL_FISHER}). The damped system is solved by conjugate
 * gradient on Fisher-vector products ({@code cgMaxIterations}, relative tolerance
 * {@code cgTolerance}) or, for tiny models, {@link Solver#EXPLICIT explicitly}: F built from n
 * products and factored by Cholesky. Every step is taken.
 *
 * <p>State: scalars {@code cg_iterations}, {@code steps}.
 */
public final class NaturalGradient implements BatchMethod {
  /** How {@code (F + λI) u = g} is solved. */
  public enum Solver {
    CONJUGATE_GRADIENT, EXPLICIT
  }

  private final double learningRate;
  private final double damping;
  private final FlatProblem.Curvature fisher;
  private final Solver solver;
  private final int cgMaxIterations;
  private final double cgTolerance;

  public NaturalGradient(double learningRate, double damping, FlatProblem.Curvature fisher, Solver solver, int cgMaxIterations,
      double cgTolerance) {
    if (fisher != FlatProblem.Curvature.FISHER && fisher != FlatProblem.Curvature.EMPIRICAL_FISHER) {
      throw new IllegalArgumentException("the natural gradient takes the FISHER or EMPIRICAL_FISHER matrix, got " + fisher);
    }
    if (!(damping > 0) && solver == Solver.EXPLICIT) throw new IllegalArgumentException("the explicit solve needs damping > 0");
    this.learningRate = learningRate;
    this.damping = damping;
    this.fisher = fisher;
    this.solver = solver;
    this.cgMaxIterations = cgMaxIterations;
    this.cgTolerance = cgTolerance;
  }

  /** Model Fisher, CG with at most 100 iterations and relative tolerance 1e-10. */
  public static NaturalGradient of(double learningRate, double damping) {
    return new NaturalGradient(learningRate, damping, FlatProblem.Curvature.FISHER, Solver.CONJUGATE_GRADIENT, 100, 1e-10);
  }

  @Override
  public String describe() {
    return "natural-gradient(lr=" + learningRate + ", damping=" + damping + ", " + fisher.name().toLowerCase(java.util.Locale.ROOT) + ", "
        + solver.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  @Override
  public BatchState init(ParameterSet params) {
    return new BatchState().put("steps", 0);
  }

  @Override
  public Map<String, Double> hyperparameters(BatchState state) {
    Map<String, Double> h = new LinkedHashMap<>();
    h.put("lr", learningRate);
    h.put("damping", damping);
    h.put("natural.cg_iterations", state.scalar("cg_iterations", 0));
    return h;
  }

  /** {@code (F + λI)⁻¹ g} at the parameters' current values, flat, and the CG iterations used (0 when explicit). */
  public record Direction(double[] direction, double[] gradient, double value, int cgIterations) {}

  /** The natural-gradient direction at the current parameters (they are not moved). */
  public Direction direction(FlatProblem p) {
    double[] x = p.x();
    FlatProblem.Point at = p.evaluate(x);
    double[] g = at.g();
    if (solver == Solver.EXPLICIT) {
      double[][] l = DenseAlgebra.cholesky(DenseAlgebra.plusIdentity(p.matrix(fisher, x), damping));
      if (l == null) throw new ArithmeticException("F + λI is not positive definite (λ = " + damping + ")");
      return new Direction(DenseAlgebra.choleskySolve(l, g), g, at.f(), 0);
    }
    DenseAlgebra.CgResult cg = DenseAlgebra.conjugateGradient(v -> DenseAlgebra.axpy(damping, v, p.product(fisher, x, v)), g, null, cgTolerance, cgMaxIterations);
    return new Direction(cg.x(), g, at.f(), cg.iterations());
  }

  @Override
  public Result step(Objective objective, ParameterSet params, BatchState state) {
    FlatProblem p = new FlatProblem(objective, params);
    double[] x = p.x();
    Direction dir = direction(p);
    double[] xNew = DenseAlgebra.axpy(-learningRate, dir.direction(), x);
    double fNew = p.value(xNew);
    p.set(xNew);
    state.put("cg_iterations", dir.cgIterations()).put("steps", state.scalar("steps", 0) + 1);
    return new Result(state, dir.value(), fNew, p.evaluations());
  }
}
