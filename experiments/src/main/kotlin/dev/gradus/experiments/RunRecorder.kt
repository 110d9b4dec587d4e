package dev.gradus.experiments

import dev.gradus.dsl.CompiledExperiment
import dev.gradus.engine.checkpoint.Checkpoint
import dev.gradus.engine.curvature.CurvatureSnapshot
import dev.gradus.engine.diagnostics.DiagnosticsSnapshot
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import java.lang.management.ManagementFactory

/**
 * Writes each epoch's metrics (and each signal-propagation snapshot, see [onDiagnostics]) into the
 * run record as it comes, and notes when training began.
 */
class RunRecorder(private val run: RunStore.Run) : TrainingListener {
    val epochs = mutableListOf<EpochRecord>()
    val phases = mutableListOf<PhaseRecord>()

    /**
     * Seconds from JVM start to the first training step, for the first run of this process
     * only (later runs of a multi-experiment script start warm); null otherwise.
     */
    var coldStartSeconds: Double? = null
        private set
    private var stepped = false

    override fun onStep(event: StepEvent) {
        if (!stepped) {
            stepped = true
            if (!firstStepInProcess.compareAndSet(false, true)) return
            val jvmStart = ManagementFactory.getRuntimeMXBean().startTime
            coldStartSeconds = (System.currentTimeMillis() - jvmStart) / 1000.0
        }
    }

    private companion object {
        val firstStepInProcess = java.util.concurrent.atomic.AtomicBoolean(false)
    }

    override fun onPhaseEnd(result: PhaseResult) {
        phases += PhaseRecord(result.name(), result.epochs(), result.steps(), result.stopReason(), result.restoredEpoch(), result.stage())
    }

    /** Every line of `diagnostics.jsonl` so far. */
    val diagnostics = mutableListOf<DiagnosticsRecord>()

    /** Appends a signal-propagation snapshot (one line per layer) and rewrites `diagnostics.jsonl`. */
    fun onDiagnostics(snapshot: DiagnosticsSnapshot) {
        if (snapshot.epoch() <= resumedEpoch) return
        diagnostics += DiagnosticsRecord.of(snapshot)
        run.writeDiagnostics(diagnostics)
    }

    /** Every line of `curvature.jsonl` so far. */
    val curvature = mutableListOf<CurvatureRecord>()

    /** Appends an ill-conditioning measurement and rewrites `curvature.jsonl` (atomically). */
    fun onCurvature(snapshot: CurvatureSnapshot) {
        if (snapshot.epoch() <= resumedEpoch) return
        curvature += CurvatureRecord.of(snapshot)
        run.writeCurvature(curvature)
    }

    /**
     * Diagnostics and curvature measurements of epochs up to this one (of the main stage) were
     * recorded before an interruption; a resumed run's monitors start afresh and measure some of
     * them again (their initial snapshot), which is dropped. -1: nothing is dropped.
     */
    private var resumedEpoch = -1

    /**
     * Continues the record of an interrupted run from [checkpoint]: the epochs and phases it holds
     * become this recorder's, the diagnostics and curvature lines after it are dropped, and
     * `metrics.jsonl`, `diagnostics.jsonl` and `curvature.jsonl` are rewritten (atomically) to match.
     */
    fun resumeFrom(checkpoint: Checkpoint?) {
        epochs.clear()
        phases.clear()
        diagnostics.clear()
        curvature.clear()
        if (checkpoint != null) {
            checkpoint.history().forEach { epochs += EpochRecord.of(it) }
            checkpoint.phases().forEach { onPhaseEnd(it) }
            if (checkpoint.stage() == CompiledExperiment.MAIN_STAGE) {
                resumedEpoch = checkpoint.epoch()
                diagnostics += run.diagnostics().filter { it.epoch <= resumedEpoch }
                curvature += run.curvature().filter { it.epoch <= resumedEpoch }
            }
        }
        run.writeMetrics(epochs)
        if (diagnostics.isNotEmpty() || java.nio.file.Files.exists(run.dir.resolve(RunStore.DIAGNOSTICS))) run.writeDiagnostics(diagnostics)
        if (curvature.isNotEmpty() || java.nio.file.Files.exists(run.dir.resolve(RunStore.CURVATURE))) run.writeCurvature(curvature)
        run.deleteSummary()
    }

    override fun onEpoch(metrics: EpochMetrics) {
        epochs += EpochRecord.of(metrics)
        run.writeMetrics(epochs)
    }
}
