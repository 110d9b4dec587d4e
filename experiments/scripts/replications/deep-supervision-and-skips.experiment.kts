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

val started = System.nanoTime()
val width = 32
val depth = 20           // 32->32 hidden layers after the input layer
val headsAfter = listOf(5, 10, 15)
val headWeight = 0.3
val seeds = listOf(1L, 2L, 3L)
val lr = 0.05
val epochs = 5
val batch = 64
val probe = 500

val all = FashionMnist.load()
val train = all.train().head(5_000)
val test = all.test().head(1_000)
val inputs = train.featureCount()

fun dense(i: Int, o: Int, a: Activation = Activation.RELU) = Dense(i, o, true, GlorotUniform(), Constant.ZEROS, a)

fun plainLayers(): List<Layer> = listOf<Layer>(dense(inputs, width)) + List(depth) { dense(width, width) } + dense(width, 10, Activation.IDENTITY)
val variants: Map<String, Model> = linkedMapOf(
    "plain" to Model(inputs, plainLayers()),
    "heads" to Model(inputs, plainLayers(), headsAfter.map { AuxiliaryHead(it, listOf(dense(width, 10, Activation.IDENTITY)), headWeight) }),
    "skips" to Model(inputs, listOf<Layer>(dense(inputs, width)) +
        List(depth / 2) { Residual(listOf(dense(width, width), dense(width, width, Activation.IDENTITY)), null, Activation.RELU) } +
        dense(width, 10, Activation.IDENTITY)),
)
val topHidden = mapOf("plain" to "layers.$depth.weight", "heads" to "layers.$depth.weight", "skips" to "layers.${depth / 2}.body.1.weight")

fun mean(xs: List<Double>) = xs.average()
fun std(xs: List<Double>): Double { val m = mean(xs); return sqrt(xs.sumOf { (it - m) * (it - m) } / (xs.size - 1)) }

val grad0 = variants.keys.associateWith { mutableListOf<Double>() }
val loss = variants.keys.associateWith { mutableListOf<Double>() }
val testErr = variants.keys.associateWith { mutableListOf<Double>() }

Backends.create("pytorch", Device.CPU, 1).use { be ->
    println("seed  network  ||dJ/dW_0||   ||dJ/dW_top||  (heads: main loss only ||dL/dW_0||)   train loss after budget  test error  time")
    for (seed in seeds) for ((name, model) in variants) {
        val t0 = System.nanoTime()
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
            grad0.getValue(name) += g0
            loss.getValue(name) += ev.loss()
            testErr.getValue(name) += 1 - r.last().testAccuracy()
            println(String.format("%4d  %-7s  %11.3e  %12.3e   %-38s  %12.4f  %12.4f  %5.1f s", seed, name, g0, gTop,
                if (g0Main.isNaN()) "" else String.format("%.3e", g0Main), ev.loss(), 1 - r.last().testAccuracy(), (System.nanoTime() - t0) / 1e9))
        }
    }
}

println()
println("network  ||dJ/dW_0|| mean (ratio to plain, per seed)      train loss mean ± std   test error mean")
for (name in variants.keys) {
    val ratios = grad0.getValue(name).indices.map { grad0.getValue(name)[it] / grad0.getValue("plain")[it] }
    println(String.format("%-7s  %.3e  (%s)        %.4f ± %.4f        %.4f", name, mean(grad0.getValue(name)),
        ratios.joinToString(", ") { String.format("%.2fx", it) }, mean(loss.getValue(name)), std(loss.getValue(name)), mean(testErr.getValue(name))))
}
println("paper: lower layers get larger gradients and the network trains faster with deep supervision (Lee et al. 2015) and with identity skips (He et al. 2016)")

fun gradHolds(v: String) = grad0.getValue(v).indices.all { grad0.getValue(v)[it] >= 2 * grad0.getValue("plain")[it] }
fun lossHolds(v: String): Boolean {
    val pooled = sqrt((std(loss.getValue(v)).let { it * it } + std(loss.getValue("plain")).let { it * it }) / 2)
    return mean(loss.getValue("plain")) - mean(loss.getValue(v)) > pooled
}
fun verdict(b: Boolean) = if (b) "HOLDS" else "DOES NOT HOLD"
println("CLAIM G-heads: at init the lowest layer's weight-gradient norm with auxiliary heads is >= 2x the plain net's on every seed: ${verdict(gradHolds("heads"))}")
println("CLAIM G-skips: at init the lowest layer's weight-gradient norm with identity skips is >= 2x the plain net's on every seed: ${verdict(gradHolds("skips"))}")
println("CLAIM L-heads: after the same 395 SGD steps the main output's training loss with auxiliary heads is lower than plain by more than the pooled std: ${verdict(lossHolds("heads"))}")
println("CLAIM L-skips: after the same 395 SGD steps the training loss with identity skips is lower than plain by more than the pooled std: ${verdict(lossHolds("skips"))}")
println(String.format("(elapsed %.1f s)", (System.nanoTime() - started) / 1e9))
