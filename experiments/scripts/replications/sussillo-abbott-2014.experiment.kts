// Replication: Sussillo & Abbott (2014), "Random walk initialization for training very deep
// feedforward networks". No experiment is declared: plain Kotlin doubles, no training.
//
// For depth D = 100 and widths N in {32, 128}: weights W_l ~ N(0, g^2/N), a random Gaussian input
// is propagated forward (h_{l+1} = f(W_l h_l)) to fix the ReLU masks, then a random vector delta is
// propagated backwards through the transposed Jacobians, delta_l = W_l^T (f'(z_l) * delta_{l+1}).
// The drift is the mean per-layer change of log||delta|| (natural log), (log||delta_0|| -
// log||delta_D||)/D, averaged over SEEDS independent networks; delta is renormalized every layer
// and the log norms accumulated, so nothing overflows.
//
// Gains: the paper's formula g_ReLU = sqrt(2) exp(1.2/(max(N,6) - 2.4)), g_lin = exp(1/(2N)),
// and g = 1, g = 2. For ReLU the paper contrasts its formula with the "obvious" sqrt(2), which is
// printed too (not part of the claim).
//
// CRITERION (fixed before looking at any numbers): with tau_N = 1/(4N) -- half the theoretical
// per-layer drift deficit 1/(2N) of a linear network at g = 1 -- the claim holds iff, for both
// networks and both widths: |drift(formula gain)| < tau_N, drift(g = 1) < -tau_N, drift(g = 2) > +tau_N.
//
// As a sweep: ./gradus sweep experiments/scripts/replications/sussillo-abbott-2014.experiment.kts --jobs 1 --threads 1
// The 200 networks are seeds 0..199 as before. A process per network would cost more than the
// networks, so the sweep's seed b = 1..5 is a block of 40 of them (seeds 40(b-1) .. 40b-1), and a
// trial (net, N) x block measures the mean drift over its 40 networks for every gain. The blocks
// are equal, so the mean of the 5 block means is exactly the mean over the 200 networks the
// criterion reads; the std the summary shows is the std of the block means (40 networks each).

import dev.gradus.engine.random.RandomStream
import kotlin.math.*

val depth = 100
val networks = 200
val blocks = 5
val perBlock = networks / blocks
val widths = listOf(32, 128)

fun drift(n: Int, g: Double, relu: Boolean, seed: Int): Double {
    val rng = RandomStream("sussillo-abbott-$n-$relu-$g", seed.toLong())
    val sd = g / sqrt(n.toDouble())
    val ws = Array(depth) { DoubleArray(n * n) { rng.nextGaussian() * sd } }
    val masks = Array(depth) { BooleanArray(n) { true } }
    var h = DoubleArray(n) { rng.nextGaussian() }
    if (relu) for (l in 0 until depth) {  // a linear net needs no forward pass: its Jacobian is W
        val w = ws[l]
        val z = DoubleArray(n)
        for (i in 0 until n) { var s = 0.0; for (j in 0 until n) s += w[i * n + j] * h[j]; z[i] = s }
        if (relu) for (i in 0 until n) { masks[l][i] = z[i] > 0; if (!masks[l][i]) z[i] = 0.0 }
        val norm = sqrt(z.sumOf { it * it })
        h = if (norm > 0) DoubleArray(n) { z[it] / norm } else z  // scale does not change the masks
    }
    var delta = DoubleArray(n) { rng.nextGaussian() }
    var nrm = sqrt(delta.sumOf { it * it }); delta = DoubleArray(n) { delta[it] / nrm }
    var logSum = 0.0
    for (l in depth - 1 downTo 0) {
        val w = ws[l]
        val m = masks[l]
        val out = DoubleArray(n)
        for (i in 0 until n) { if (!m[i]) continue; val d = delta[i]; for (j in 0 until n) out[j] += w[i * n + j] * d }
        nrm = sqrt(out.sumOf { it * it })
        if (nrm == 0.0) return Double.NEGATIVE_INFINITY
        logSum += ln(nrm)
        delta = DoubleArray(n) { out[it] / nrm }
    }
    return logSum / depth
}

fun formulaGain(n: Int, relu: Boolean) = if (relu) sqrt(2.0) * exp(1.2 / (max(n, 6) - 2.4)) else exp(1.0 / (2 * n))
fun gains(n: Int, relu: Boolean): Map<String, Double> = linkedMapOf("formula" to formulaGain(n, relu), "g1" to 1.0, "g2" to 2.0)
    .also { if (relu) it["sqrt2"] = sqrt(2.0) }   // the "obvious" ReLU gain, printed, not in the claim

/** Mean drift over the block's 40 networks for each gain (one thread: the sweep pins each trial's threads). */
fun blockDrifts(n: Int, relu: Boolean, block: Int): Map<String, Double> = gains(n, relu).map { (label, g) ->
    "drift.$label" to ((block - 1) * perBlock until block * perBlock).map { drift(n, g, relu, it) }.average()
}.toMap()

fun configuration(relu: Boolean, n: Int) = "${if (relu) "relu" else "linear"}-N$n"

sweep("sussillo-abbott-2014") {
    seeds(1..blocks)
    noBest()   // the claim compares drifts; no single quantity ranks the configurations
    for (relu in listOf(true, false)) for (n in widths) trial(configuration(relu, n)) { block ->
        mapOf("gain.formula" to formulaGain(n, relu), "tau" to 1.0 / (4 * n)) + blockDrifts(n, relu, block.toInt())
    }
    claim("at the formula's gain the per-layer log-norm drift of back-propagated vectors is near zero (|drift| < 1/(4N)), negative at g=1 (< -1/(4N)) and positive at g=2 (> 1/(4N)) for ReLU and linear nets, N in {32, 128} (means over the 200 networks)") { s ->
        // every mean is read (none short-circuited), so the verdict lists them all
        val checks = listOf(true, false).flatMap { relu -> widths.flatMap { n ->
            val c = configuration(relu, n)
            val tau = 1.0 / (4 * n)
            val blocksDone = s.n("drift.formula", c)
            if (blocksDone != blocks) throw MissingSweepDataException("$c: $blocksDone of $blocks blocks finished; the criterion is over all 200 networks")
            listOf(kotlin.math.abs(s.mean("drift.formula", c)) < tau, s.mean("drift.g1", c) < -tau, s.mean("drift.g2", c) > tau)
        } }
        checks.all { it }
    }
}
