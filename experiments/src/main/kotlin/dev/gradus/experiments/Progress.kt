package dev.gradus.experiments

import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import java.io.PrintStream

/**
 * Training progress for people: on a terminal a bar redrawn in place (loss, samples/s, ETA);
 * elsewhere (logs, CI) one plain line per epoch.
 */
class Progress(private val out: PrintStream, private val interactive: Boolean, private val epochs: Int) : TrainingListener {
    private var epochStart = System.nanoTime()
    private var samples = 0L
    private var lossSum = 0.0
    private var lastDraw = 0L

    override fun onStep(event: StepEvent) {
        if (event.batch() == 1) {
            epochStart = System.nanoTime()
            lastDraw = epochStart // first redraw after 0.1 s, when the rate means something
            samples = 0
            lossSum = 0.0
        }
        samples += event.batchSize()
        lossSum += event.loss()
        if (!interactive) return
        val now = System.nanoTime()
        if (now - lastDraw < 100_000_000L && event.batch() != event.batchesPerEpoch()) return
        lastDraw = now
        val frac = event.batch().toDouble() / event.batchesPerEpoch()
        val elapsed = (now - epochStart) / 1e9
        val rate = samples / elapsed.coerceAtLeast(1e-9)
        val eta = elapsed / frac * (1 - frac)
        val width = 24
        val filled = (frac * width).toInt()
        out.print(
            "\repoch %d/%d [%s%s] %3d%% loss %.4f %,.0f samples/s ETA %.1fs   ".format(
                event.epoch(), epochs, "#".repeat(filled), ".".repeat(width - filled), (frac * 100).toInt(),
                lossSum / event.batch(), rate, eta,
            ),
        )
        out.flush()
    }

    override fun onPhaseStart(phase: String, index: Int, stoppingRule: String) {
        if (index > 0 || phase != "main") out.println("phase ${index + 1} '$phase' (until $stoppingRule)")
    }

    override fun onPhaseEnd(result: PhaseResult) {
        if (result.name() != "main") {
            out.println(
                "phase '${result.name()}' ended after ${result.epochs()} epochs, ${result.steps()} steps: ${result.stopReason()}" +
                    if (result.restoredEpoch() > 0) "; restored the parameters of epoch ${result.restoredEpoch()}" else "",
            )
        }
    }

    override fun onEpoch(metrics: EpochMetrics) {
        if (interactive) out.print("\r" + " ".repeat(90) + "\r")
        val validation = if (metrics.validationLoss().isNaN()) "" else
            "  val loss %.4f  val acc %.2f%%".format(metrics.validationLoss(), 100 * metrics.validationAccuracy())
        val main = metrics.stage() == dev.gradus.dsl.CompiledExperiment.MAIN_STAGE
        out.println(
            (if (main) "" else "[${metrics.stage()}] ") + "epoch %d/%s  train loss %.4f%s  test loss %.4f  test acc %.2f%%  %.1fs  %,.0f samples/s".format(
                metrics.epoch(), if (main && metrics.phase() == "main") "$epochs" else "-", metrics.trainLoss(), validation,
                metrics.testLoss(), 100 * metrics.testAccuracy(), metrics.seconds(), metrics.samplesPerSecond(),
            ),
        )
    }
}
