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
//
// As sweeps: ./gradus sweep experiments/scripts/replications/continuation-gaussian-smoothing.experiment.kts --jobs 1 --threads 1
// runs continuation-gaussian-smoothing-A and -B; add --sweep NAME for one.
//   A: seeds 1, 2, 3; a trial is (method, seed) over the same 100 starts and measures the
//      fraction of them reaching the global minimum. Every seed has 100 starts, so the mean of the
//      3 fractions is exactly the fraction over the 300 the criterion reads.
//   B: the initializations are seeds 1..50 as before. A process per network would cost more than
//      the network, so the sweep's seed b = 1..5 is a block of 10 of them (seeds 10(b-1)+1 .. 10b)
//      and a trial (method, block) measures the fraction of its 10 nets that solve XOR. The blocks
//      are equal, so the mean of the 5 block fractions is exactly the fraction of the 50; the std
//      the summary shows is that of the block fractions.

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
import kotlin.math.ln
import kotlin.math.sqrt

val s = 8.0
val B = 10.0
val J = 8
val N = 100
val eta = 0.004
val stepsA = 1_500
val annealA = 1_000L
val K = 8
val tolerance = 0.1

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

/** (a) one (method, noise seed): the 100 starts descended at once; the fraction ending at the global minimum. */
fun landscapeTrial(method: String, seed: Long): Map<String, Double> {
    Backends.create("pytorch", Device.CPU, 1).use { be ->
        val model = Model(1, listOf<Layer>(Landscape(N)))
        val config = TrainingConfig.of(stepsA, 1).withDtype(DType.FLOAT64).withLoss(Loss.MEAN_SQUARED_ERROR)
        val trainer = Trainer(be, model, Optimizers.sgd(eta * (2 * N + 1)), config, RandomStreams(seed))
        if (method == "smoothed") trainer.withContinuation(Continuation.none().withGaussianSmoothing(LinearDecay(1.0, annealA, 0.0), K))
        trainer.initialize().use { p ->
            val xp = p.get("layers.0.x").value()
            be.copyInto(xp, be.fromDoubles(DType.FLOAT64, starts, 1, N.toLong()))
            val r = trainer.fit(p, dummy, dummy)
            val xs = xp.toDoubles()
            return mapOf(
                "global.min.fraction" to xs.count { f(it) < tolerance }.toDouble() / N,
                "mean.f.final" to r.epochs().last().testLoss() * (2 * N + 1) / N,
                "starts.within.tolerance" to starts.count { f(it) < tolerance }.toDouble(),
            )
        }
    }
}

// ---- (b) XOR with a 2-2-2 tanh network ----
val xorX = floatArrayOf(-1f, -1f, -1f, 1f, 1f, -1f, 1f, 1f)
val xor = Dataset("xor", xorX, 4, intArrayOf(2), intArrayOf(0, 1, 1, 0), 2, listOf("0", "1"), mapOf())
val stepsB = 2_000
val initsB = 50
val blocksB = 5
val perBlockB = initsB / blocksB
// configuration name -> sigma_0
val sigma0 = linkedMapOf("plain" to 0.0, "smoothed" to 1.0, "smoothed-0.3" to 0.3)

/** (b) one (method, block): the fraction of the block's 10 initializations that solve XOR, and how the others ended. */
fun xorTrial(method: String, block: Long): Map<String, Double> {
    Backends.create("pytorch", Device.CPU, 1).use { be ->
        val model = Model.builder(2).dense(2, Activation.TANH).dense(2).build()
        val config = TrainingConfig.of(stepsB, 4).withDtype(DType.FLOAT64)
        var solved = 0
        var constant = 0
        for (seed in (block - 1) * perBlockB + 1..block * perBlockB) {
            val trainer = Trainer(be, model, Optimizers.sgd(0.5), config, RandomStreams(seed))
            if (sigma0.getValue(method) > 0) trainer.withContinuation(Continuation.none().withGaussianSmoothing(LinearDecay(sigma0.getValue(method), 1_500, 0.0), 4))
            trainer.initialize().use { p ->
                trainer.fit(p, xor, xor)
                val ev = trainer.evaluate(p, xor)
                if (ev.accuracy() == 1.0 && ev.loss() < 0.1) solved++
                else if (Math.abs(ev.loss() - ln(2.0)) < 1e-3) constant++   // a constant output: loss ln 2
            }
        }
        return mapOf("solved.fraction" to solved.toDouble() / perBlockB, "ended.at.loss.ln2" to constant.toDouble())
    }
}

fun solvedFractions(st: SweepStats, c: String): Double {
    if (st.n("solved.fraction", c) != blocksB) throw MissingSweepDataException("$c: the criterion is over all $initsB initializations")
    return st.mean("solved.fraction", c)
}

sweep("continuation-gaussian-smoothing-A") {
    seeds(1, 2, 3)
    for (method in listOf("plain", "smoothed")) trial(method) { seed -> landscapeTrial(method, seed) }
    bestBy = maximize("global.min.fraction")
    claim("A: Gaussian smoothing with sigma annealed 1 -> 0 reaches the global minimum of the multimodal 1-D function from at least 10 points more of the same starts than plain descent") { st ->
        for (m in listOf("plain", "smoothed")) if (st.n("global.min.fraction", m) != 3) throw MissingSweepDataException("$m: the criterion is over all 3 seeds x $N starts")
        st.mean("global.min.fraction", "smoothed") - st.mean("global.min.fraction", "plain") >= 0.10 - 1e-12
    }
}

sweep("continuation-gaussian-smoothing-B") {
    seeds(1..blocksB)
    for (method in sigma0.keys) trial(method) { block -> xorTrial(method, block) }
    bestBy = maximize("solved.fraction")
    claim("B: Gaussian smoothing (sigma annealed 1 -> 0) solves XOR with a 2-2-2 tanh net from at least 10 points more of 50 initializations than plain SGD") { st ->
        solvedFractions(st, "smoothed") - solvedFractions(st, "plain") >= 0.10 - 1e-12
    }
    claim("B2 (registered after seeing B): with sigma annealed 0.3 -> 0 instead, at least 10 points more of the 50 XOR initializations than plain SGD") { st ->
        solvedFractions(st, "smoothed-0.3") - solvedFractions(st, "plain") >= 0.10 - 1e-12
    }
}
