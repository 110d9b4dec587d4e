// Steps each optimizer of chapter 8 needs to reach a tolerance on two classic problems, with
// full-batch gradients in float64 (plain-Java reference backend):
//   the ill-conditioned quadratic ½xᵀAx, A = diag(1 … 100) in 10 dimensions (condition number 100), f ≤ 1e-10
//   Rosenbrock's function from (−1.5, 2), f ≤ 1e-6
// The settings per optimizer and the budgets live in dev.gradus.engine.optim.ConvergenceSuite,
// which the unit tests assert case by case.
//   ./gradus run experiments/scripts/steps-to-tolerance.experiment.kts

import dev.gradus.engine.optim.ConvergenceSuite
import dev.gradus.engine.tensor.reference.ReferenceBackend

val rows = ConvergenceSuite.run(ReferenceBackend())
println("%-30s %-50s %9s %8s %8s".format("problem", "optimizer", "tolerance", "steps", "budget"))
for (r in rows) {
    val steps = if (r.result().reached()) r.result().steps().toString() else "not reached"
    println("%-30s %-50s %9.0e %8s %8d".format(r.objective(), r.optimizer(), r.tolerance(), steps, r.budget()))
}
