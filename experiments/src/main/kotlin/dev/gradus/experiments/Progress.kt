package dev.gradus.experiments

import dev.gradus.dsl.CompiledExperiment
import dev.gradus.dsl.EarlyStoppingStop
import dev.gradus.dsl.EpochsStop
import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.GreedyLayerwiseSpec
import dev.gradus.dsl.PipelineSpec
import dev.gradus.dsl.PlateauStop
import dev.gradus.dsl.StepsStop
import dev.gradus.dsl.TargetStop
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import java.io.PrintStream
import kotlin.math.ceil

/**
 * One phase of a run as its spec lays it out, in the order the trainer runs them: [epochs] it
 * takes ([upTo]: at most that many, for metric-driven stopping rules), or [steps] optimizer
 * steps for a phase that stops after a step count (its epochs depend on the batches per epoch).
 */
data class PlannedPhase(val stage: String, val phase: String, val epochs: Int?, val steps: Long?, val upTo: Boolean) {
    /** Epochs of this phase when an epoch has [batchesPerEpoch] batches. */
    fun epochs(batchesPerEpoch: Int): Int =
        epochs ?: ceil(steps!!.toDouble() / batchesPerEpoch.coerceAtLeast(1)).toInt()
}

/** Every phase of every stage (greedy pre-training stages, then "train"), known before training starts. */
class RunPlan(val phases: List<PlannedPhase>) {
    companion object {
        fun of(spec: ExperimentSpec): RunPlan {
            val pretrain = (spec.pretrain as? GreedyLayerwiseSpec)?.let { g ->
                // GreedyLayerwise.stages: one stage per hidden layer (every layer but the output), and a joint one after each on request
                (1 until spec.model.layers.size).flatMap { k ->
                    listOfNotNull(
                        PlannedPhase("pretrain-$k", CompiledExperiment.MAIN_PHASE, g.epochsPerLayer, null, upTo = false),
                        if (g.jointAfterEachStage) PlannedPhase("joint-$k", CompiledExperiment.MAIN_PHASE, g.epochsPerLayer, null, upTo = false) else null,
                    )
                }
            }.orEmpty()
            val main = when (val o = spec.optimizer) {
                is PipelineSpec -> o.phases.map { p ->
                    val stage = CompiledExperiment.MAIN_STAGE
                    when (val u = p.until) {
                        is EpochsStop -> PlannedPhase(stage, p.name, u.epochs, null, upTo = false)
                        is StepsStop -> PlannedPhase(stage, p.name, null, u.steps, upTo = false)
                        is TargetStop -> PlannedPhase(stage, p.name, u.maxEpochs, null, upTo = true)
                        is PlateauStop -> PlannedPhase(stage, p.name, u.maxEpochs, null, upTo = true)
                        is EarlyStoppingStop -> PlannedPhase(stage, p.name, u.maxEpochs, null, upTo = true)
                    }
                }
                else -> listOf(PlannedPhase(CompiledExperiment.MAIN_STAGE, CompiledExperiment.MAIN_PHASE, spec.train.epochs, null, upTo = false))
            }
            return RunPlan(pretrain + main)
        }
    }
}

/**
 * How the run's progress is estimated: the phase in progress (advanced at each phase start) and
 * the epochs done, timed by [clock] (nanoseconds). Remaining time of the whole run = the current
 * epoch's remaining time + the planned epochs after it × the mean epoch time so far (wall time
 * from the first step to the last epoch end, evaluation included). Shared by [Progress] and the
 * JSON events.
 */
class ProgressEstimate(private val plan: RunPlan, private val clock: () -> Long) {
    private var cursor = -1
    private var phaseEpochs = 0
    private var epochsDone = 0
    private var runStart = -1L
    private var firstPhaseStart = -1L
    private var lastEpochEnd = -1L
    var epochStart = -1L
        private set
    private var batchesPerEpoch = 1
    private var startedIndex: Int? = null

    val phase: PlannedPhase? get() = plan.phases.getOrNull(cursor.coerceAtMost(plan.phases.size - 1))

    /** A phase starts: [index] within its stage; the stage itself is known at its first step. */
    fun phaseStarted(index: Int) {
        startedIndex = index
        if (firstPhaseStart < 0) firstPhaseStart = clock()
        cursor++ // the plan's order, until the first step names the stage
        phaseEpochs = 0
    }

    fun step(event: StepEvent) {
        val now = clock()
        if (runStart < 0) runStart = now
        if (event.batch() == 1 || epochStart < 0) epochStart = now
        batchesPerEpoch = event.batchesPerEpoch()
        startedIndex?.let { i ->
            // placed by stage and index, so a run that starts mid-way (a resumed one) still finds its phase
            val first = plan.phases.indexOfFirst { it.stage == event.stage() }
            if (first >= 0 && first + i < plan.phases.size && plan.phases[first + i].stage == event.stage()) cursor = first + i
            startedIndex = null
        }
    }

    fun epochEnded() {
        epochsDone++
        phaseEpochs++
        lastEpochEnd = clock()
    }

    /** Mean wall seconds per finished epoch; null before the first one ends. */
    fun meanEpochSeconds(): Double? {
        if (epochsDone == 0) return null
        // batch-method phases send no steps: their time counts from the phase start
        val start = if (runStart >= 0) runStart else firstPhaseStart
        return if (start < 0) null else (lastEpochEnd - start) / 1e9 / epochsDone
    }

    /** Planned epochs of the current stage (sum over its phases), and whether that is an upper bound. */
    fun stageEpochs(): Pair<Int, Boolean>? {
        val p = phase ?: return null
        val ps = plan.phases.filter { it.stage == p.stage }
        return ps.sumOf { it.epochs(batchesPerEpoch) } to ps.any { it.upTo }
    }

    /** Planned epochs after the current one (this phase's rest and every later phase), and whether that is an upper bound. */
    fun epochsAfterCurrent(currentFinished: Boolean): Pair<Int, Boolean> {
        val p = phase ?: return 0 to false
        val later = plan.phases.drop(cursor + 1)
        val inPhase = (p.epochs(batchesPerEpoch) - phaseEpochs - (if (currentFinished) 0 else 1)).coerceAtLeast(0)
        return inPhase + later.sumOf { it.epochs(batchesPerEpoch) } to (p.upTo || later.any { it.upTo })
    }

    /**
     * Seconds left in the epoch in progress and in the whole run, [fraction] of the epoch done;
     * the run's upper-bound flag when a metric-driven phase may stop earlier.
     */
    fun remaining(fraction: Double): Triple<Double, Double, Boolean> {
        val elapsed = (clock() - epochStart) / 1e9
        val f = fraction.coerceIn(1e-9, 1.0)
        val epochLeft = elapsed / f * (1 - f)
        val mean = meanEpochSeconds() ?: (elapsed / f)
        val (after, upTo) = epochsAfterCurrent(currentFinished = false)
        return Triple(epochLeft, epochLeft + after * mean, upTo)
    }

    /** Seconds left in the run right after an epoch ended; null before any epoch ended. */
    fun remainingAfterEpoch(): Pair<Double, Boolean>? {
        val mean = meanEpochSeconds() ?: return null
        val (after, upTo) = epochsAfterCurrent(currentFinished = true)
        return after * mean to upTo
    }
}

/**
 * Training progress for people. On a terminal ([interactive]) a bar redrawn in place at most
 * every 0.1 s: epoch in the stage, loss, samples/s, the epoch's ETA and the whole run's ETA
 * (see [ProgressEstimate]; "≤" when a metric-driven phase may stop earlier), fitted to [width]
 * columns. Elsewhere (logs, CI) one plain line per epoch. [clock] (nanoseconds) is injected for tests.
 */
class Progress(
    private val out: PrintStream,
    private val interactive: Boolean,
    plan: RunPlan,
    private val width: Int = 80,
    private val clock: () -> Long = System::nanoTime,
) : TrainingListener {
    private val estimate = ProgressEstimate(plan, clock)
    private var samples = 0L
    private var lossSum = 0.0
    private var lastDraw = Long.MIN_VALUE
    private var drawn = false

    override fun onStep(event: StepEvent) {
        estimate.step(event)
        if (event.batch() == 1) {
            samples = 0
            lossSum = 0.0
            lastDraw = clock() // first redraw after 0.1 s, when the rate means something
        }
        samples += event.batchSize()
        lossSum += event.loss()
        if (!interactive) return
        val now = clock()
        if (now - lastDraw < 100_000_000L && event.batch() != event.batchesPerEpoch()) return
        lastDraw = now
        val frac = event.batch().toDouble() / event.batchesPerEpoch()
        val elapsed = (now - estimate.epochStart) / 1e9
        val (epochEta, runEta, upTo) = estimate.remaining(frac)
        val stage = if (event.stage() == CompiledExperiment.MAIN_STAGE) "" else "[${event.stage()}] "
        val head = "\r${stage}epoch ${event.epoch()}/${stageTotal()} ["
        val tail = "] %3d%% loss %.4f %,.0f samples/s ETA %s · run %s%s".format(
            (frac * 100).toInt(), lossSum / event.batch(), samples / elapsed.coerceAtLeast(1e-9),
            duration(epochEta), if (upTo) "≤" else "", duration(runEta),
        )
        // the line must fit the terminal, or a redraw wraps and stacks lines: the bar shrinks first
        val room = width - 1 - (head.length - 1) - tail.length
        val bar = room.coerceIn(0, 24)
        val filled = (frac * bar).toInt()
        val line = (head + "#".repeat(filled) + ".".repeat(bar - filled) + tail).take(width) // `width` counts the leading \r
        out.print(line + " ".repeat((width - line.length).coerceAtLeast(0)))
        out.flush()
        drawn = true
    }

    private fun stageTotal(): String = estimate.stageEpochs()?.let { (n, upTo) -> (if (upTo) "≤" else "") + n } ?: "?"

    private fun clearBar() {
        if (interactive && drawn) out.print("\r" + " ".repeat(width - 1) + "\r")
        drawn = false
    }

    override fun onPhaseStart(phase: String, index: Int, stoppingRule: String) {
        estimate.phaseStarted(index)
        clearBar()
        if (index > 0 || phase != CompiledExperiment.MAIN_PHASE) out.println("phase ${index + 1} '$phase' (until $stoppingRule)")
    }

    override fun onPhaseEnd(result: PhaseResult) {
        clearBar()
        if (result.name() != CompiledExperiment.MAIN_PHASE) {
            out.println(
                "phase '${result.name()}' ended after ${result.epochs()} epochs, ${result.steps()} steps: ${result.stopReason()}" +
                    if (result.restoredEpoch() > 0) "; restored the parameters of epoch ${result.restoredEpoch()}" else "",
            )
        }
    }

    override fun onEpoch(metrics: EpochMetrics) {
        estimate.epochEnded()
        clearBar()
        val validation = if (metrics.validationLoss().isNaN()) "" else
            "  val loss %.4f  val acc %.2f%%".format(metrics.validationLoss(), 100 * metrics.validationAccuracy())
        val main = metrics.stage() == CompiledExperiment.MAIN_STAGE
        val left = estimate.remainingAfterEpoch()?.takeIf { it.first > 0 }
        out.println(
            (if (main) "" else "[${metrics.stage()}] ") + "epoch %d/%s  train loss %.4f%s  test loss %.4f  test acc %.2f%%  %.1fs  %,.0f samples/s%s".format(
                metrics.epoch(), stageTotal(), metrics.trainLoss(), validation,
                metrics.testLoss(), 100 * metrics.testAccuracy(), metrics.seconds(), metrics.samplesPerSecond(),
                left?.let { (s, upTo) -> "  run ETA ${if (upTo) "≤" else ""}${duration(s)}" } ?: "",
            ),
        )
    }

    companion object {
        /** `4.2s`, `3m07s`, `2h05m`. */
        fun duration(seconds: Double): String {
            if (!seconds.isFinite()) return "?"
            if (seconds < 59.95) return "%.1fs".format(seconds)
            val s = Math.round(seconds)
            return if (s < 3600) "%dm%02ds".format(s / 60, s % 60) else "%dh%02dm".format(s / 3600, (s % 3600) / 60)
        }
    }
}

/**
 * Whether progress may be drawn in place: a terminal (a console, on JDK 17 only when stdin and
 * stdout both are one), and neither `TERM=dumb` nor a CI environment (`CI` set, as GitHub
 * Actions, GitLab and most CI services do).
 */
object Terminal {
    fun interactive(hasConsole: Boolean = System.console() != null, env: Map<String, String> = System.getenv()): Boolean =
        hasConsole && env["TERM"] != "dumb" && env["CI"].isNullOrEmpty()

    /** Columns of the terminal: `COLUMNS` when exported, else `stty size` on /dev/tty, else 80. */
    fun width(env: Map<String, String> = System.getenv()): Int {
        env["COLUMNS"]?.toIntOrNull()?.takeIf { it >= 20 }?.let { return it }
        return runCatching {
            val p = ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start()
            if (!p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) { p.destroy(); null }
            else p.inputStream.bufferedReader().readText().trim().split(' ').getOrNull(1)?.toIntOrNull()?.takeIf { it >= 20 }
        }.getOrNull() ?: 80
    }
}
