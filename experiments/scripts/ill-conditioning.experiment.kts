// Ill-conditioning during training (Deep Learning §8.2.1, Figure 8.1): a gradient step -εg
// changes the cost by about -ε gᵀg + ½ε² gᵀHg. The book observes that in neural network training
// the gradient norm does not shrink much (it often grows) while gᵀHg grows by more than an order of
// magnitude, so that learning becomes slow even though the gradient stays strong.
//
// Setup (fixed before any run): Fashion-MNIST, the first 20,000 training images and the first
// 2,000 test images; MLP 784-256-256-10, ReLU, Glorot-uniform weights, zero biases, softmax
// cross-entropy; plain SGD, lr 0.01, batch 128, 20 epochs, float32, PyTorch backend, 1 thread;
// seeds 1, 2, 3 (initialization and minibatch order). The engine's IllConditioningMonitor
// (train { curvature(...) }) measures, on a fixed probe batch (the first 1,000 training
// examples), gᵀg, the exact gᵀHg (one Hessian-vector product by double backward), ‖g‖ and the
// predicted change at initialization, after every 50th step and after every epoch.
//
// CRITERION (registered before the first run): with "first" the measurement at initialization
// and "last" the measurement after the last epoch, the claim holds iff, for each of the seeds
// 1, 2, 3,   gᵀHg(last) >= 10 x gᵀHg(first)   and   ‖g‖(last) >= 0.5 x ‖g‖(first).
//
// The seeds are run here, in the script, to evaluate the criterion; seed 1 is also declared,
// so `gradus run` trains it again into the run store (curvature.jsonl) and `gradus report` plots
// gᵀg and gᵀHg (log axis), the predicted change and ‖g‖ against the step.

import dev.gradus.dsl.*
import dev.gradus.engine.curvature.CurvatureSnapshot

val started = System.nanoTime()

fun spec(seed: Long): ExperimentSpec = Experiments.builder("ill-conditioning-mlp-sgd-seed$seed").apply {
    this.seed = seed
    data = fashionMnist(trainLimit = 20_000, testLimit = 2_000)
    model {
        dense(256, relu)
        dense(256, relu)
        output(classes = 10)
    }
    optimizer = sgd(lr = 0.01)
    train {
        epochs = 20
        batchSize = 128
        curvature(everyEpochs = 1, everySteps = 50, batchSize = 1_000)
    }
}.build()

fun g(x: Double) = String.format("%.4g", x)
var holds = true
for (seed in listOf(1L, 2L, 3L)) {
    val t0 = System.nanoTime()
    val r = Experiments.compile(spec(seed)).run(threads = 1)
    val c: List<CurvatureSnapshot> = r.curvature
    val first = c.first()
    val last = c.last()
    println("seed $seed: ${c.size} measurements; test accuracy ${String.format("%.2f%%", 100 * r.finalTestAccuracy)}, " +
        "final train loss ${g(r.result.last().trainLoss())} (${String.format("%.1f s", (System.nanoTime() - t0) / 1e9)})")
    println(String.format("  %-6s %6s %12s %12s %10s %12s %14s", "epoch", "step", "gTg", "gTHg", "|g|", "gTHg/gTg", "predicted"))
    for (s in c.filter { it.step() == 0L || it.step() % 50 == 0L && it.epoch() % 4 == 0 || it == last }.distinctBy { it.step() }) {
        println(String.format("  %-6d %6d %12s %12s %10s %12s %14s", s.epoch(), s.step(), g(s.gTg()), g(s.gTHg()), g(s.gradientNorm()),
            g(s.gTHg() / s.gTg()), g(s.predictedChange())))
    }
    val hessianRatio = last.gTHg() / first.gTHg()
    val normRatio = last.gradientNorm() / first.gradientNorm()
    val minHessian = c.minOf { it.gTHg() }
    val ok = hessianRatio >= 10 && normRatio >= 0.5
    holds = holds && ok
    println("  gTHg last/first = ${g(hessianRatio)} (need >= 10); |g| last/first = ${g(normRatio)} (need >= 0.5): " +
        (if (ok) "met" else "not met") + "; (not part of the criterion) gTHg last/min = ${g(last.gTHg() / minHessian)}")
}
println("CLAIM gᵀHg grows by more than an order of magnitude over training while ‖g‖ does not shrink below half its initial value " +
    "(SGD, MLP 784-256-256-10, Fashion-MNIST, seeds 1-3): " + if (holds) "HOLDS" else "DOES NOT HOLD")
println(String.format("(elapsed %.1f s before the recorded run)", (System.nanoTime() - started) / 1e9))

register(spec(1).copy(name = "ill-conditioning-mlp-sgd"))
