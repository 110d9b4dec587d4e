// Second-order and batch methods against Adam (Deep Learning §8.6: Newton, conjugate gradients,
// BFGS / L-BFGS; Martens 2010 for Hessian-free).
//
// Setup: Fashion-MNIST, the first N = 5,000 training images, pixels as the data loader scales
// them; two models, both softmax cross-entropy, Glorot-uniform weights, zero biases:
//   logreg : logistic regression 784-10 (convex, 7,850 parameters)
//   mlp    : 784-32-10 ReLU MLP (25,450 parameters)
// Methods (each a spec compiled by the DSL, run on the PyTorch backend, 1 thread):
//   adam         : adam(lr = 1e-2 for logreg, 3e-3 for mlp), batch 100, 100 epochs (100 full-gradient equivalents)
//   lbfgs        : lbfgs(history = 10, maxIter = 5, strong Wolfe), full batch, 20 epochs (20 x 5 iterations)
//   cg           : conjugateGradient("polak-ribiere"), full batch, 100 epochs (one CG iteration each)
//   hessian-free : hessianFree(damping = 1.0, cgIterations = 20), Gauss-Newton products, 20 epochs
//   adam->lbfgs  : pipeline { adam (same lr, batch 100) 5 epochs; lbfgs(maxIter = 5) 15 epochs }
// Seeds 1, 2, 3 (initialization and minibatch order; the data are fixed).
//
// The training loss: the engine's "test" split is pointed at the same 5,000 training images (a
// folder of symbolic links whose t10k-* files are the train-* files), so the per-epoch "test
// loss" the trainer evaluates is the full-batch training objective after the epoch, in evaluation
// mode, for every method alike (the epoch's own "train loss" is a minibatch average for Adam and
// the loss before the step for batch methods, so it is not used).
// Gradient evaluations: batch methods report their counts per epoch (hyperparameters
// batch.gradients, batch.values, batch.curvature_products); for Adam one step is batch/N of a
// full gradient. The budget axis is "full-gradient equivalents" = gradients + curvature products
// (a Gauss-Newton or Hessian product costs about one more backward pass; counted as one).
// Wall time: the sum of the trainer's per-epoch seconds (training only; the shared 2-core VM was
// busy with other builds, so times are indicative).
// No claim is tested here: the script measures and prints. One run (mlp, adam->lbfgs, seed 1,
// with the curvature monitor) is also declared, so `gradus run` records it and `gradus report`
// can plot it.

import dev.gradus.dsl.*
import dev.gradus.engine.train.EpochMetrics
import java.nio.file.Files
import java.nio.file.Path
import kotlin.math.sqrt

val started = System.nanoTime()
val n = 5_000

// the training images, also as the "test" split (see the header)
val source = Path.of(System.getenv("GRADUS_DATA") ?: "/usr/share/datasets/fashion-mnist")
val trainAsTest: Path = Path.of(System.getProperty("java.io.tmpdir"), "gradus-fashion-train-as-test").also { d ->
    Files.createDirectories(d)
    for ((link, target) in listOf(
        "train-images-idx3-ubyte.gz" to "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" to "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz" to "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" to "train-labels-idx1-ubyte.gz",
    )) {
        val l = d.resolve(link)
        Files.deleteIfExists(l)
        Files.createSymbolicLink(l, source.resolve(target))
    }
}

data class Method(val name: String, val optimizer: (Double) -> OptimizerSpec, val epochs: Int)

val methods = listOf(
    Method("adam", { lr -> adam(lr) }, 100),
    Method("lbfgs", { _ -> lbfgs(history = 10, maxIter = 5, lineSearch = "strong-wolfe") }, 20),
    Method("cg", { _ -> conjugateGradient(variant = "polak-ribiere") }, 100),
    Method("hessian-free", { _ -> hessianFree(damping = 1.0, cgIterations = 20) }, 20),
    Method("adam->lbfgs", { lr ->
        pipeline {
            phase("adam", epochs = 5) { adam(lr) }
            phase("lbfgs", epochs = 15) { lbfgs(history = 10, maxIter = 5) }
        }
    }, 0),
)
val logreg: ModelBuilder.() -> Unit = { output(classes = 10) }
val mlp: ModelBuilder.() -> Unit = { dense(32, relu); output(classes = 10) }
val models = linkedMapOf("logreg" to (logreg to 1e-2), "mlp" to (mlp to 3e-3))

fun spec(model: String, m: Method, seed: Long, curvature: Boolean = false): ExperimentSpec {
    val (layers, lr) = models.getValue(model)
    return Experiments.builder("second-order-$model-${m.name.replace("->", "-to-")}-seed$seed").apply {
        this.seed = seed
        data = fashionMnist(trainLimit = n, testLimit = n, dir = trainAsTest.toString())
        model { layers() }
        optimizer = m.optimizer(lr)
        train {
            epochs = if (m.epochs > 0) m.epochs else 1
            batchSize = 100
            evalBatchSize = n
            if (curvature) curvature(everyEpochs = 1, batchSize = 256)
        }
    }.build()
}

/** Per epoch: cumulative wall seconds, cumulative full-gradient equivalents, full training loss after it. */
data class Point(val seconds: Double, val grads: Double, val loss: Double)
data class Outcome(val points: List<Point>, val gradients: Double, val values: Double, val products: Double)

fun measure(s: ExperimentSpec): Outcome {
    val r = Experiments.compile(s).run(threads = 1)
    var t = 0.0; var g = 0.0; var values = 0.0; var grads = 0.0; var products = 0.0
    val pts = r.result.epochs().map { e: EpochMetrics ->
        val h = e.hyperparameters()
        t += e.seconds()
        if (h.containsKey("batch.gradients")) {
            grads += h.getValue("batch.gradients"); products += h.getValue("batch.curvature_products"); values += h.getValue("batch.values")
            g += h.getValue("batch.gradients") + h.getValue("batch.curvature_products")
        } else {
            // a first-order epoch: one minibatch gradient per step, batch/N of a full gradient each
            val steps = Math.ceil(n.toDouble() / e.batchSize())
            grads += steps * e.batchSize() / n
            g += steps * e.batchSize() / n
        }
        Point(t, g, e.testLoss())
    }
    return Outcome(pts, grads, values, products)
}

fun mean(xs: List<Double>) = xs.average()
fun std(xs: List<Double>): Double = if (xs.size < 2) 0.0 else mean(xs).let { m -> sqrt(xs.sumOf { (it - m) * (it - m) } / (xs.size - 1)) }
/** The loss after the last epoch that ended within [budget] on [axis] (NaN: none did). */
fun lossWithin(o: Outcome, budget: Double, axis: (Point) -> Double): Double = o.points.lastOrNull { axis(it) <= budget }?.loss ?: Double.NaN
fun f(x: Double, w: Int = 7, p: Int = 4) = if (x.isNaN()) "-".padStart(w) else String.format("%$w.${p}f", x)

val seeds = listOf(1L, 2L, 3L)
for (model in models.keys) {
    println("== $model, N = $n, seeds $seeds ==")
    val results = linkedMapOf<String, List<Outcome>>()
    for (m in methods) results[m.name] = seeds.map { measure(spec(model, m, it)) }
    println(String.format("%-13s %18s %8s %9s %8s %9s %9s", "method", "final loss m ± sd", "epochs", "grads", "values", "curv.prod", "wall s"))
    for ((name, os) in results) {
        val finals = os.map { it.points.last().loss }
        println(String.format("%-13s %9.4f ± %6.4f %8d %9.1f %8.1f %9.1f %9.2f", name, mean(finals), std(finals), os[0].points.size,
            mean(os.map { it.gradients }), mean(os.map { it.values }), mean(os.map { it.products }), mean(os.map { it.points.last().seconds })))
    }
    val gradBudgets = listOf(5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
    println("training loss (mean over seeds) after the last epoch within a budget of full-gradient equivalents:")
    println(String.format("%-13s", "method") + gradBudgets.joinToString("") { String.format("%9s", "<=" + it.toInt()) })
    for ((name, os) in results) println(String.format("%-13s", name) + gradBudgets.joinToString("") { b -> "  " + f(mean(os.map { lossWithin(it, b) { p -> p.grads } })) })
    val timeBudgets = listOf(0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
    println("training loss (mean over seeds) after the last epoch within a wall-time budget (training seconds):")
    println(String.format("%-13s", "method") + timeBudgets.joinToString("") { String.format("%9s", "<=" + it + "s") })
    for ((name, os) in results) println(String.format("%-13s", name) + timeBudgets.joinToString("") { b -> "  " + f(mean(os.map { lossWithin(it, b) { p -> p.seconds } })) })
    println()
}

// the recorded run: gradus run trains it into the run store with its curvature monitor
register(spec("mlp", methods.last(), 1, curvature = true).copy(name = "second-order-mlp-adam-to-lbfgs"))
println(String.format("(elapsed %.1f s before the recorded run)", (System.nanoTime() - started) / 1e9))
