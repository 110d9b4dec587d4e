// Replication (qualitative): continuation by Gaussian smoothing (Deep Learning §8.7.6; Mobahi &
// Fisher 2015; Wu 1997): minimizing J_σ(θ) = E_{ε~N(0,I)} J(θ + σε) with σ annealed to 0 tracks a
// minimizer from a convex-ish blurred objective down to the real one, and so finds the global
// minimum of a multimodal objective more often than plain descent from the same starts. No
// experiment is declared: the script drives the engine directly — Trainer.withContinuation(
// Continuation.withGaussianSmoothing(σ schedule, K)), whose TrainingStep averages the gradient at K
// perturbed parameter points θ + σε per step (the unbiased estimator of ∇J_σ).
//
// (a) A Rastrigin-like 1-D function built from the engine's ops (there is no cosine op):
//       f(x) = x² + B·(x − S(x))²,  S(x) = Σ_{j=-8}^{7} sigmoid(2s(x − j − ½)) − 8   (a smooth staircase),
//     s = 8, B = 10: x − S(x) is a smooth sawtooth with zeros at the integers and half-integers, so
//     f has local minima near 0, ±0.49, ±0.91, ±1.48, ±2.47, ... with values 0, 0.25, 0.91, 2.2, 6.2, ...;
//     the global minimum is f(0) = 0. (Shape checked on a grid before the claim was written; no
//     optimizer was run before the criteria below were fixed.)
//     Engine path: a one-layer "model" whose only parameter is x[1, N] and whose output ignores the
//     input: z = [1, x_1..x_N, √B·(x_i − S(x_i))_i]; with the mean-squared-error loss against the
//     one-hot target of label 0 over one dummy example, the loss is Σ_i f(x_i) / (2N+1). f is
//     separable and the perturbation ε is isotropic, so every coordinate follows exactly the 1-D
//     descent (plain or smoothed, with its own noise) of f from its own start: N = 100 starts in one
//     run. Starts: uniform in [−4, 4] (stream "starts", seed 7), the same for both methods.
//     Plain SGD with per-coordinate step η = 0.004 on f (engine lr = η·(2N+1)), float64, 1,500
//     steps (1 step per epoch); smoothed: the same, with σ = linearDecay(1.0 → 0 over 1,000 epochs),
//     K = 8 samples, then 500 steps at σ = 0. Success: f(x_final) < 0.1 (the nearest other minimum
//     has f ≈ 0.25). Seeds 1, 2, 3 (noise stream), the same starts.
// (b) XOR with a 2-2-2 tanh network (softmax CE), inputs ±1, the 4 points as one full batch, SGD
//     lr 0.5, 2,000 steps, 50 initializations (seeds 1..50, Glorot-uniform, zero biases), float64;
//     plain vs gaussianSmoothing σ = linearDecay(1.0 → 0 over 1,500 epochs), K = 4. Success: all 4
//     points classified correctly and mean loss < 0.1 after the last step.
//
// CRITERIA (fixed before any run):
//   A: over the 3 seeds × 100 starts, the fraction of starts reaching the global minimum with
//      smoothing is at least 10 percentage points above plain descent's.
//   B: the fraction of the 50 XOR initializations that succeed with smoothing is at least 10
//      percentage points above plain SGD's.
// Registered AFTER seeing B's result (with σ₀ = 1, 46 of 50 nets ended at a constant output, loss ln 2):
//   B2: the same with σ = linearDecay(0.3 → 0 over 1,500 epochs), K = 4, everything else as in (b):
//      at least 10 percentage points above plain SGD's fraction. B's line stays as it was.

import dev.gradus.engine.autodiff.Ops
import dev.gradus.engine.autodiff.Var
import dev.gradus.engine.continuation.Continuation
import dev.gradus.engine.data.Dataset
import dev.gradus.engine.init.Constant
import dev.gradus.engine.nn.*
import dev.gradus.engine.optim.Optimizers
import dev.gradus.engine.random.RandomStream
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.schedule.LinearDecay
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.Device
import dev.gradus.engine.train.Loss
import dev.gradus.engine.train.Trainer
import dev.gradus.engine.train.TrainingConfig
import kotlin.math.exp
import kotlin.math.sqrt

val started = System.nanoTime()
val s = 8.0
val B = 10.0
val J = 8
val N = 100
val eta = 0.004
val stepsA = 1_500
val annealA = 1_000L
val K = 8
val tolerance = 0.1
val seedsA = listOf(1L, 2L, 3L)

// f in plain Kotlin, for reporting only
fun staircase(x: Double) = (-J until J).sumOf { j -> 1 / (1 + exp(-2 * s * (x - j - 0.5))) } - J
fun f(x: Double) = x * x + B * (x - staircase(x)) * (x - staircase(x))

/** Parameter x[1, n]; output [rows=1, 2n+1] = [1, x, √B·(x − S(x))], independent of the input. */
class Landscape(val n: Int) : Layer {
    override fun kind() = "landscape"
    override fun inputSize() = 1
    override fun outputSize() = 2 * n + 1
    override fun parameters() = listOf(ParameterDecl("x", longArrayOf(1, n.toLong()), Constant.ZEROS, 1, 1))
    override fun forward(input: Var, context: LayerContext): Var {
        val x = context.param("x")
        val tape = x.tape()
        var stair: Var? = null
        for (j in -J until J) {
            val step = Ops.sigmoid(Ops.addScalar(Ops.scale(x, 2 * s), -2 * s * (j + 0.5)))
            stair = if (stair == null) step else Ops.add(stair, step)
        }
        val saw = Ops.scale(Ops.sub(x, Ops.addScalar(stair!!, -J.toDouble())), sqrt(B))
        val one = tape.constant(tape.backend().fromDoubles(x.value().dtype(), doubleArrayOf(1.0), 1, 1), "one")
        return Ops.concatColumns(Ops.concatColumns(one, x), saw)
    }
}

val starts = RandomStream("starts", 7).let { r -> DoubleArray(N) { -4 + 8 * r.nextDouble() } }
val dummy = Dataset("dummy", floatArrayOf(0f), 1, intArrayOf(1), intArrayOf(0), 2 * N + 1, List(2 * N + 1) { "c$it" }, mapOf())
println("(a) f(x) = x² + B(x − S(x))², s=$s, B=$B; $N starts uniform in [−4, 4]; global minimum f(0) = 0; success f < $tolerance")
println("    starts already within tolerance: ${starts.count { f(it) < tolerance }}")

val successA = mutableMapOf("plain" to 0, "smoothed" to 0)
val totalA = seedsA.size * N
Backends.create("pytorch", Device.CPU, 1).use { be ->
    val model = Model(1, listOf<Layer>(Landscape(N)))
    val config = TrainingConfig.of(stepsA, 1).withDtype(DType.FLOAT64).withLoss(Loss.MEAN_SQUARED_ERROR)
    for (seed in seedsA) for (method in listOf("plain", "smoothed")) {
        val t0 = System.nanoTime()
        val trainer = Trainer(be, model, Optimizers.sgd(eta * (2 * N + 1)), config, RandomStreams(seed))
        if (method == "smoothed") trainer.withContinuation(Continuation.none().withGaussianSmoothing(LinearDecay(1.0, annealA, 0.0), K))
        trainer.initialize().use { p ->
            val xp = p.get("layers.0.x").value()
            be.copyInto(xp, be.fromDoubles(DType.FLOAT64, starts, 1, N.toLong()))
            val r = trainer.fit(p, dummy, dummy)
            val xs = xp.toDoubles()
            val ok = xs.count { f(it) < tolerance }
            successA[method] = successA.getValue(method) + ok
            val ends = xs.map { Math.round(it * 2) / 2.0 }.groupingBy { it }.eachCount().toSortedMap()
            println(String.format("    seed %d  %-8s  reached global min: %3d/%d   final loss·(2N+1)/N = mean f %.4f   endpoints (x rounded to 0.5): %s  %5.1f s",
                seed, method, ok, N, r.epochs().last().testLoss() * (2 * N + 1) / N, ends, (System.nanoTime() - t0) / 1e9))
        }
    }
}
val fracPlainA = successA.getValue("plain").toDouble() / totalA
val fracSmoothA = successA.getValue("smoothed").toDouble() / totalA
println(String.format("(a) global minimum reached: plain %.3f (%d/%d), smoothed %.3f (%d/%d)", fracPlainA, successA["plain"], totalA, fracSmoothA, successA["smoothed"], totalA))

// ---- (b) XOR with a 2-2-2 tanh network ----
val xorX = floatArrayOf(-1f, -1f, -1f, 1f, 1f, -1f, 1f, 1f)
val xor = Dataset("xor", xorX, 4, intArrayOf(2), intArrayOf(0, 1, 1, 0), 2, listOf("0", "1"), mapOf())
val stepsB = 2_000
val seedsB = (1L..50L).toList()
val sigma0 = mapOf("plain" to 0.0, "smoothed" to 1.0, "smoothed-0.3" to 0.3)
val successB = sigma0.keys.associateWith { 0 }.toMutableMap()
Backends.create("pytorch", Device.CPU, 1).use { be ->
    val model = Model.builder(2).dense(2, Activation.TANH).dense(2).build()
    val config = TrainingConfig.of(stepsB, 4).withDtype(DType.FLOAT64)
    val failures = sigma0.keys.associateWith { mutableListOf<String>() }
    val t0 = System.nanoTime()
    for (seed in seedsB) for (method in sigma0.keys) {
        val trainer = Trainer(be, model, Optimizers.sgd(0.5), config, RandomStreams(seed))
        if (sigma0.getValue(method) > 0) trainer.withContinuation(Continuation.none().withGaussianSmoothing(LinearDecay(sigma0.getValue(method), 1_500, 0.0), 4))
        trainer.initialize().use { p ->
            trainer.fit(p, xor, xor)
            val ev = trainer.evaluate(p, xor)
            if (ev.accuracy() == 1.0 && ev.loss() < 0.1) successB[method] = successB.getValue(method) + 1
            else failures.getValue(method) += String.format("%d(acc %.2f, loss %.3f, |θ| %.2g)", seed, ev.accuracy(), ev.loss(),
                sqrt(p.snapshot().values.sumOf { v -> v.sumOf { it * it } }))
        }
    }
    for (m in sigma0.keys) println("(b) $m (σ₀ ${sigma0[m]}) failures: ${failures.getValue(m).joinToString(" ")}")
    println(String.format("(b) time %.1f s", (System.nanoTime() - t0) / 1e9))
}
val fracPlainB = successB.getValue("plain").toDouble() / seedsB.size
val fracSmoothB = successB.getValue("smoothed").toDouble() / seedsB.size
val fracSmoothB2 = successB.getValue("smoothed-0.3").toDouble() / seedsB.size
println(String.format("(b) XOR solved: plain %.2f (%d/%d), smoothed σ₀=1 %.2f (%d/%d), smoothed σ₀=0.3 %.2f (%d/%d)", fracPlainB, successB["plain"], seedsB.size,
    fracSmoothB, successB["smoothed"], seedsB.size, fracSmoothB2, successB["smoothed-0.3"], seedsB.size))

fun verdict(b: Boolean) = if (b) "HOLDS" else "DOES NOT HOLD"
println(String.format("CLAIM A: Gaussian smoothing with σ annealed 1→0 reaches the global minimum of the multimodal 1-D function from at least 10 points more of the same starts than plain descent (%.1f%% vs %.1f%%): %s",
    100 * fracSmoothA, 100 * fracPlainA, verdict(fracSmoothA - fracPlainA >= 0.10 - 1e-12)))
println(String.format("CLAIM B: Gaussian smoothing solves XOR with a 2-2-2 tanh net from at least 10 points more of 50 initializations than plain SGD (%.0f%% vs %.0f%%): %s",
    100 * fracSmoothB, 100 * fracPlainB, verdict(fracSmoothB - fracPlainB >= 0.10 - 1e-12)))
println(String.format("CLAIM B2 (registered after seeing B): with σ annealed 0.3→0 instead, at least 10 points more of the 50 XOR initializations than plain SGD (%.0f%% vs %.0f%%): %s",
    100 * fracSmoothB2, 100 * fracPlainB, verdict(fracSmoothB2 - fracPlainB >= 0.10 - 1e-12)))
println(String.format("(elapsed %.1f s)", (System.nanoTime() - started) / 1e9))
