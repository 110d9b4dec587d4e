package dev.gradus.engine.optim;

import dev.gradus.engine.schedule.Schedule;
import dev.gradus.engine.tensor.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The optimizer convergence suite: every optimizer of chapter 8, with full-batch gradients in
 * float64, on
 * <ul>
 *   <li>the ill-conditioned quadratic {@code ½xᵀAx}, A = diag(1 … 100) over 10 coordinates
 *       (condition number 100), from {@code (1, −1.11, …, −2)}: {@code f ≤ 1e-10} (f₀ ≈ 745);
 *   <li>Rosenbrock's function from (−1.5, 2): {@code f ≤ 1e-6}.
 * </ul>
 * Hyperparameters were tuned per optimizer and problem on a grid of learning rates (factor ≈3
 * apart) and the chosen ones sit inside a range that converges, not on an edge. Budgets are
 * about twice the steps observed (in the comments). Where a constant learning rate leaves the
 * adaptive methods oscillating near the minimum (RMSProp and AdaDelta on Rosenbrock, AdaDelta on
 * the quadratic), the learning rate decays exponentially, as stated in each case. The tests
 * assert every case; {@code experiments/scripts/steps-to-tolerance.experiment.kts} prints the table.
 */
public final class ConvergenceSuite {
  private ConvergenceSuite() {}

  public static final double QUADRATIC_TOLERANCE = 1e-10;
  public static final double ROSENBROCK_TOLERANCE = 1e-6;

  /** An optimizer with the settings tuned for a problem, and a step budget about twice what it needs. */
  public record Case(String name, Supplier<GradientTransform> optimizer, long budget) {}

  /** One line of the steps-to-tolerance table. */
  public record Row(String objective, String optimizer, double tolerance, long budget, StepsToTolerance.Result result) {}

  private static Schedule exponential(double lr, double gamma) {
    return t -> lr * Math.pow(gamma, t);
  }

  /** Quadratic, κ = 100, tolerance 1e-10. Observed steps in the comments. */
  public static List<Case> quadraticCases() {
    return List.of(
        new Case("SGD lr 0.01", () -> Optimizers.sgd(0.01), 2500), // 1112
        new Case("SGD momentum 0.9 lr 0.01 (torch form)", () -> Optimizers.sgd(0.01, 0.9, false, 0), 600), // 272
        new Case("SGD Nesterov 0.9 lr 0.01 (torch form)", () -> Optimizers.nesterov(0.01, 0.9), 400), // 169
        new Case("momentum 0.9 lr 0.01 (book 8.2)", () -> Optimizers.momentum(0.01, 0.9), 600), // 272
        new Case("Nesterov 0.9 lr 0.01 (book 8.3)", () -> Optimizers.nesterovBook(0.01, 0.9), 400), // 170
        new Case("AdaGrad lr 1", () -> Optimizers.adagrad(1.0), 100), // 26
        new Case("RMSProp lr 0.03", () -> Optimizers.rmsprop(0.03), 300), // 143
        new Case("RMSProp centered lr 0.03", () -> Optimizers.rmsprop(0.03, 0.99, 1e-8, 0, true), 300), // 135
        new Case("RMSProp momentum 0.9 lr 0.003", () -> Optimizers.rmsprop(0.003, 0.99, 1e-8, 0.9, false), 600), // 270
        new Case("RMSProp Nesterov 0.9 lr 0.03 (book 8.6)", () -> Optimizers.rmspropNesterov(0.03, 0.99, 1e-8, 0.9), 300), // 118
        new Case("Adam lr 0.1", () -> Optimizers.adam(0.1), 600), // 280
        new Case("Adam AMSGrad lr 0.1", () -> Optimizers.adam(0.1, 0.9, 0.999, 1e-8, true), 600), // 277
        new Case("AdamW lr 0.1 wd 1e-4", () -> Optimizers.adamw(0.1, 1e-4), 600), // 280
        new Case("AdaDelta lr 1·0.999^t", () -> Optimizers.adadeltaBuilder().lr(exponential(1.0, 0.999)).build(), 8000)); // 3980
  }

  /** Rosenbrock from (−1.5, 2), tolerance 1e-6. Observed steps in the comments. */
  public static List<Case> rosenbrockCases() {
    return List.of(
        new Case("SGD lr 1e-3", () -> Optimizers.sgd(1e-3), 30000), // 15681
        new Case("SGD momentum 0.9 lr 1e-3 (torch form)", () -> Optimizers.sgd(1e-3, 0.9, false, 0), 3000), // 1484
        new Case("SGD Nesterov 0.9 lr 1e-3 (torch form)", () -> Optimizers.nesterov(1e-3, 0.9), 3000), // 1379
        new Case("momentum 0.9 lr 1e-3 (book 8.2)", () -> Optimizers.momentum(1e-3, 0.9), 3000), // 1484
        new Case("Nesterov 0.9 lr 1e-3 (book 8.3)", () -> Optimizers.nesterovBook(1e-3, 0.9), 3000), // 1380
        new Case("AdaGrad lr 0.3", () -> Optimizers.adagrad(0.3), 25000), // 13349
        new Case("RMSProp lr 0.01·0.999^t", () -> Optimizers.rmspropBuilder().lr(exponential(0.01, 0.999)).build(), 12000), // 5571
        new Case("RMSProp centered lr 0.01·0.999^t",
            () -> Optimizers.rmspropBuilder().lr(exponential(0.01, 0.999)).centered(true).build(), 12000), // 5509
        new Case("RMSProp momentum 0.9 lr 1e-3", () -> Optimizers.rmsprop(1e-3, 0.99, 1e-8, 0.9, false), 3000), // 1074
        new Case("RMSProp Nesterov 0.9 lr 1e-3·0.999^t (book 8.6)",
            () -> Optimizers.rmspropBuilder().lr(exponential(1e-3, 0.999)).momentum(0.9).nesterov(true).build(), 4000), // 1569
        new Case("Adam lr 0.03", () -> Optimizers.adam(0.03), 4000), // 1826
        new Case("Adam AMSGrad lr 0.1", () -> Optimizers.adam(0.1, 0.9, 0.999, 1e-8, true), 3000), // 1212
        new Case("AdamW lr 0.03 wd 1e-4", () -> Optimizers.adamw(0.03, 1e-4), 4000), // 1886
        new Case("AdaDelta lr 1·0.9995^t", () -> Optimizers.adadeltaBuilder().lr(exponential(1.0, 0.9995)).build(), 20000)); // 10001
  }

  /** Runs every case on both problems. */
  public static List<Row> run(Backend backend) {
    List<Row> rows = new ArrayList<>();
    TestProblems.Objective quadratic = TestProblems.illConditionedQuadratic(10, 100);
    for (Case c : quadraticCases()) rows.add(row(backend, quadratic, QUADRATIC_TOLERANCE, c));
    TestProblems.Objective rosenbrock = TestProblems.rosenbrock();
    for (Case c : rosenbrockCases()) rows.add(row(backend, rosenbrock, ROSENBROCK_TOLERANCE, c));
    return rows;
  }

  public static Row row(Backend backend, TestProblems.Objective objective, double tolerance, Case c) {
    return new Row(objective.name(), c.name(), tolerance, c.budget(),
        StepsToTolerance.run(backend, c.optimizer().get(), objective, tolerance, c.budget()));
  }
}
