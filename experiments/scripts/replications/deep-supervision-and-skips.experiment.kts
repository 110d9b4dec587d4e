// Replication (qualitative): auxiliary classifiers on intermediate layers ("deeply-supervised
// nets", Lee et al. 2015; GoogLeNet's auxiliary heads, Szegedy et al. 2015) and identity skip
// connections (residual blocks, He et al. 2016) both give the lower layers of a deep network a
// larger gradient than the plain chain of layers does, and make it train faster (Deep Learning
// §8.7.5-8.7.6 on deep supervision and skip connections). No experiment is declared: the script
// drives the engine directly.
//
// Setup (fixed before any run): Fashion-MNIST, first 5,000 training / 1,000 test images. A deep
// narrow ReLU MLP, Glorot-uniform weights (the DSL default), zero biases, width 32:
//   plain : dense(784->32, relu), 20 x dense(32->32, relu), dense(32->10)          (22 layers)
//   heads : plain + three auxiliary softmax heads, dense(32->10), after layers 5, 10 and 15,
//           each with weight 0.3 in the objective (main loss + 0.3 * sum of head losses)
//   skips : dense(784->32, relu), 10 residual blocks relu(x + dense(32)(relu(dense(32)(x)))),
//           dense(32->10): the same 21 hidden weight matrices, with an identity skip every 2.
// Same init seed for all three: parameters are drawn in layer order (heads last), so the three
// networks start from identical hidden weights; "lowest layer" = layers.0.weight (784x32).
// (a) at initialization, ||dObjective/dW_0|| (Frobenius) on the first 500 training examples,
//     objective = each network's training objective (heads: with the heads' weighted losses);
// (b) after a fixed budget (plain SGD lr 0.05, batch 64, 5 epochs = 395 steps, float32,
//     PyTorch backend, 1 thread), the main output's mean softmax cross-entropy over the 5,000
//     training examples (heads not counted), and the test error.
// Seeds 1, 2, 3 (init and data order; the same seed for the three networks).
//
// CRITERIA (fixed before looking at any numbers):
//   G-heads: on every seed, ||dJ/dW_0||(heads) >= 2 x ||dJ/dW_0||(plain)
//   G-skips: on every seed, ||dJ/dW_0||(skips) >= 2 x ||dJ/dW_0||(plain)
//   L-heads: mean training loss after the budget, heads < plain by more than the pooled std
//            sqrt((s_heads^2 + s_plain^2)/2) (sample stds over the 3 seeds)
//   L-skips: the same for skips against plain.
//
// As a sweep (each (network, seed) trial its own process; the criteria above are the claims):
//   ./gradus sweep experiments/scripts/replications/deep-supervision-and-skips.experiment.kts --jobs 1 --threads 1
// Trial (network, seed) measures grad0 = ||dJ/dW_0|| at init, the main output's train.loss after
// the budget and the test error; G-* compares grad0 seed by seed, L-* reads the means and stds.

import dev.gradus.engine.autodiff.Ops
import dev.gradus.engine.autodiff.Tape
import dev.gradus.engine.data.FashionMnist
import dev.gradus.engine.init.Constant
import dev.gradus.engine.init.GlorotUniform
import dev.gradus.engine.nn.*
import dev.gradus.engine.optim.Optimizers
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.Device
import dev.gradus.engine.train.Loss
import dev.gradus.engine.train.Trainer
import dev.gradus.engine.train.TrainingConfig
import kotlin.math.sqrt

val width = 32
val depth = 20           // 32->32 hidden layers after the input layer
val headsAfter = listOf(5, 10, 15)
val headWeight = 0.3
val lr = 0.05
val epochs = 5
val batch = 64
val probe = 500
val networks = listOf("plain", "heads", "skips")

// loaded by the first trial that needs them, not when the sweep only reads the declarations
val all by lazy { FashionMnist.load() }
val train by lazy { all.train().head(5_000) }
val test by lazy { all.test().head(1_000) }

fun dense(i: Int, o: Int, a: Activation = Activation.RELU) = Dense(i, o, true, GlorotUniform(), Constant.ZEROS, a)

fun plainLayers(inputs: Int): List<Layer> = listOf<Layer>(dense(inputs, width)) + List(depth) { dense(width, width) } + dense(width, 10, Activation.IDENTITY)
fun network(name: String, inputs: Int): Model = when (name) {
    "plain" -> Model(inputs, plainLayers(inputs))
    "heads" -> Model(inputs, plainLayers(inputs), headsAfter.map { AuxiliaryHead(it, listOf(dense(width, 10, Activation.IDENTITY)), headWeight) })
    "skips" -> Model(inputs, listOf<Layer>(dense(inputs, width)) +
        List(depth / 2) { Residual(listOf(dense(width, width), dense(width, width, Activation.IDENTITY)), null, Activation.RELU) } +
        dense(width, 10, Activation.IDENTITY))
    else -> throw IllegalArgumentException("unknown network '$name'")
}
val topHidden = mapOf("plain" to "layers.$depth.weight", "heads" to "layers.$depth.weight", "skips" to "layers.${depth / 2}.body.1.weight")

/** One (network, seed): gradient norms at init on the probe batch, then the budget, then the losses. */
fun measure(name: String, seed: Long): Map<String, Double> {
    val inputs = train.featureCount()
    val model = network(name, inputs)
    Backends.create("pytorch", Device.CPU, 1).use { be ->
        val trainer = Trainer(be, model, Optimizers.sgd(lr), TrainingConfig.of(epochs, batch), RandomStreams(seed))
        trainer.initialize().use { params ->
            // (a) gradients at initialization, on the probe batch
            var g0 = 0.0; var gTop = 0.0; var g0Main = Double.NaN
            be.openScope().use {
                val rows = IntArray(probe) { it }
                val x = be.fromFloats(train.gatherFeatures(rows), probe.toLong(), inputs.toLong())
                val y = be.fromInts(train.gatherLabels(rows))
                for (mainOnly in if (model.heads().isEmpty()) listOf(false) else listOf(false, true)) {
                    val tape = Tape.training(be)
                    val bound = model.bind(tape, params)
                    val input = tape.constant(x, "input")
                    val out = model.forwardWithHeads(bound, input)
                    var objective = Loss.SOFTMAX_CROSS_ENTROPY.apply(out.main(), y)
                    if (!mainOnly) model.heads().forEachIndexed { k, h -> objective = Ops.add(objective, Ops.scale(Loss.SOFTMAX_CROSS_ENTROPY.apply(out.heads()[k], y), h.weight())) }
                    tape.backward(objective)
                    fun norm(path: String) = sqrt(be.sumOfSquares(bound.getValue(path).grad()).item())
                    if (mainOnly) g0Main = norm("layers.0.weight") else { g0 = norm("layers.0.weight"); gTop = norm(topHidden.getValue(name)) }
                }
            }
            // (b) the fixed training budget, then the main output's loss on the whole training set
            val r = trainer.fit(params, train, test)
            val ev = trainer.evaluate(params, train)
            val m = linkedMapOf("grad0" to g0, "gradTop" to gTop, "train.loss" to ev.loss(), "test.error" to 1 - r.last().testAccuracy())
            if (!g0Main.isNaN()) m["grad0.mainLossOnly"] = g0Main
            return m
        }
    }
}

/** [a]'s and [b]'s values of [quantity], paired by seed: only when every seed of both finished (else undecided). */
fun pairedBySeed(s: SweepStats, quantity: String, a: String, b: String, seeds: Int): List<Pair<Double, Double>> {
    val va = s.values(quantity, a)
    val vb = s.values(quantity, b)
    if (va.size != seeds || vb.size != seeds) throw MissingSweepDataException("$quantity: $a has ${va.size}, $b ${vb.size} of $seeds seeds; pairing needs all")
    return va.zip(vb)
}

/** The criteria are over all seeds: fewer finished trials leave a claim undecided. */
fun requireAll(s: SweepStats, quantity: String, seeds: Int, vararg configurations: String) {
    for (c in configurations) if (s.n(quantity, c) != seeds) throw MissingSweepDataException("$quantity of $c: ${s.n(quantity, c)} of $seeds seeds finished")
}

sweep("deep-supervision-and-skips") {
    seeds(1..3)
    for (name in networks) trial(name) { seed -> measure(name, seed) }
    bestBy = minimize("train.loss")
    claim("G-heads: at init the lowest layer's weight-gradient norm with auxiliary heads is >= 2x the plain net's on every seed") { s ->
        pairedBySeed(s, "grad0", "heads", "plain", 3).all { (h, p) -> h >= 2 * p }
    }
    claim("G-skips: at init the lowest layer's weight-gradient norm with identity skips is >= 2x the plain net's on every seed") { s ->
        pairedBySeed(s, "grad0", "skips", "plain", 3).all { (k, p) -> k >= 2 * p }
    }
    claim("L-heads: after the same 395 SGD steps the main output's training loss with auxiliary heads is lower than plain by more than the pooled std") { s ->
        requireAll(s, "train.loss", 3, "heads", "plain")
        s.mean("train.loss", "plain") - s.mean("train.loss", "heads") > s.pooledStd("train.loss", "heads", "plain")
    }
    claim("L-skips: after the same 395 SGD steps the training loss with identity skips is lower than plain by more than the pooled std") { s ->
        requireAll(s, "train.loss", 3, "skips", "plain")
        s.mean("train.loss", "plain") - s.mean("train.loss", "skips") > s.pooledStd("train.loss", "skips", "plain")
    }
}
