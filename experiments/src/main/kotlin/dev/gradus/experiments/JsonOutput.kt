package dev.gradus.experiments

import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import java.io.OutputStream
import java.io.PrintStream

/**
 * What a command prints: [HUMAN] everything (progress, tables); [QUIET] only the final result
 * lines and errors; [JSON] one JSON object per line on stdout ([JsonEvents]) and nothing else there.
 */
enum class OutputMode {
    HUMAN, QUIET, JSON;

    companion object {
        /** The commands that take `--quiet`, and those that take `--json`. */
        val QUIET_COMMANDS = setOf("run", "rerun", "sweep", "resume")
        val JSON_COMMANDS = setOf("run", "rerun", "sweep", "resume", "list", "show")

        /**
         * The mode [args] of [command] ask for, and the arguments without those flags. A flag the
         * command does not take stays in place, so the command's parser reports it as unknown.
         * With both, `--json` wins: its stdout holds no human text anyway.
         */
        fun select(command: String, args: List<String>): Pair<OutputMode, List<String>> {
            val json = command in JSON_COMMANDS && "--json" in args
            val quiet = command in QUIET_COMMANDS && "--quiet" in args
            val rest = args.filterNot { (it == "--json" && command in JSON_COMMANDS) || (it == "--quiet" && command in QUIET_COMMANDS) }
            return (if (json) JSON else if (quiet) QUIET else HUMAN) to rest
        }
    }
}

/** A stream that drops everything: the human output of `--quiet` and `--json`. */
internal val nowhere = PrintStream(OutputStream.nullOutputStream())

/**
 * Machine output of `--json`: one JSON object per line, each with an `"event"` field naming
 * its kind, flushed at once so a reader sees events as they happen. Numbers that are not finite
 * (NaN) are written as null. Thread-safe (sweep trials end concurrently).
 */
class JsonEvents(private val out: PrintStream) {
    /** Whether an `error` event was written (the CLI adds one for a failing command otherwise). */
    @Volatile var errorEmitted = false
        private set

    fun emit(event: String, vararg fields: Pair<String, Any?>) = emit(event, fields.toList())

    fun emit(event: String, fields: List<Pair<String, Any?>>) {
        val obj = buildJsonObject {
            put("event", JsonPrimitive(event))
            for ((k, v) in fields) put(k, element(v))
        }
        synchronized(this) {
            if (event == ERROR) errorEmitted = true
            out.println(obj.toString())
            out.flush()
        }
    }

    /** An `error` event: [message] (the text the command printed on stderr) and the exit code. */
    fun error(message: String, exitCode: Int, vararg more: Pair<String, Any?>) =
        emit(ERROR, listOf("message" to message, "exitCode" to exitCode) + more)

    companion object {
        const val RUN_STARTED = "run-started"
        const val EPOCH = "epoch"
        const val PHASE_END = "phase-end"
        const val STAGE_END = "stage-end"
        const val RUN_FINISHED = "run-finished"
        const val SWEEP_STARTED = "sweep-started"
        const val TRIAL_END = "trial-end"
        const val SWEEP_FINISHED = "sweep-finished"
        /** `gradus resume` of a run that had already finished: nothing trained. */
        const val RESUME_SKIPPED = "resume-skipped"
        const val ERROR = "error"

        /** Kotlin values to JSON: numbers (non-finite ones as null), strings, booleans, maps, lists, JSON as is. */
        fun element(v: Any?): JsonElement = when (v) {
            null -> JsonNull
            is JsonElement -> v
            is Double -> if (v.isFinite()) JsonPrimitive(v) else JsonNull
            is Float -> if (v.isFinite()) JsonPrimitive(v) else JsonNull
            is Number -> JsonPrimitive(v)
            is Boolean -> JsonPrimitive(v)
            is Map<*, *> -> JsonObject(v.entries.associate { (k, x) -> k.toString() to element(x) })
            is Iterable<*> -> kotlinx.serialization.json.JsonArray(v.map { element(it) })
            else -> JsonPrimitive(v.toString())
        }
    }
}

/**
 * A run's training events as [JsonEvents]: `epoch` per epoch (its metrics, and the estimated
 * seconds left in the run), `phase-end` per phase and `stage-end` after a stage's last phase
 * (from the [plan]; greedy pre-training stages, then "train"). Every event names the
 * [experiment] and [runId].
 */
class JsonTrainingEvents(
    private val events: JsonEvents,
    private val experiment: String,
    private val runId: String,
    private val plan: RunPlan,
    clock: () -> Long = System::nanoTime,
) : TrainingListener {
    private val estimate = ProgressEstimate(plan, clock)
    private var stageEpochs = 0
    private var stageSteps = 0L
    private var stagePhases = 0

    private fun ids() = listOf("experiment" to experiment, "runId" to runId)

    override fun onPhaseStart(phase: String, index: Int, stoppingRule: String) = estimate.phaseStarted(index)

    override fun onStep(event: StepEvent) = estimate.step(event)

    override fun onEpoch(metrics: EpochMetrics) {
        estimate.epochEnded()
        val r = EpochRecord.of(metrics)
        val left = estimate.remainingAfterEpoch()
        events.emit(
            JsonEvents.EPOCH,
            ids() + listOf(
                "stage" to r.stage, "phase" to r.phase, "epoch" to r.epoch, "step" to r.step,
                "trainLoss" to r.trainLoss, "testLoss" to r.testLoss, "testAccuracy" to r.testAccuracy,
                "validationLoss" to r.validationLoss, "validationAccuracy" to r.validationAccuracy,
                "seconds" to r.seconds, "samplesPerSecond" to r.samplesPerSecond,
                "runSecondsLeft" to left?.first, "runSecondsLeftIsUpperBound" to left?.second,
            ),
        )
    }

    override fun onPhaseEnd(result: PhaseResult) {
        events.emit(
            JsonEvents.PHASE_END,
            ids() + listOf(
                "stage" to result.stage(), "phase" to result.name(), "epochs" to result.epochs(), "steps" to result.steps(),
                "stopReason" to result.stopReason(), "restoredEpoch" to result.restoredEpoch().takeIf { it > 0 },
            ),
        )
        stageEpochs += result.epochs()
        stageSteps += result.steps()
        stagePhases++
        // the stage ends with its last planned phase (a stage's phases all run, each until its rule stops it)
        val phasesOfStage = plan.phases.count { it.stage == result.stage() }
        if (stagePhases >= phasesOfStage) {
            events.emit(
                JsonEvents.STAGE_END,
                ids() + listOf("stage" to result.stage(), "phases" to stagePhases, "epochs" to stageEpochs, "steps" to stageSteps),
            )
            stageEpochs = 0
            stageSteps = 0
            stagePhases = 0
        }
    }
}

/**
 * Writes through to [target] and keeps a copy, so `--json` can put the text of a failure
 * (printed on stderr by the command) into its `error` event.
 */
internal class CapturingStream(private val target: OutputStream) : OutputStream() {
    private val copy = java.io.ByteArrayOutputStream()

    override fun write(b: Int) {
        synchronized(copy) { copy.write(b) }
        target.write(b)
    }

    override fun write(b: ByteArray, off: Int, len: Int) {
        synchronized(copy) { copy.write(b, off, len) }
        target.write(b, off, len)
    }

    override fun flush() = target.flush()

    fun text(): String = synchronized(copy) { copy.toString(Charsets.UTF_8) }
}
