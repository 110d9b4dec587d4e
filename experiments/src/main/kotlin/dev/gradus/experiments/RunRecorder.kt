package dev.gradus.experiments

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
        diagnostics += DiagnosticsRecord.of(snapshot)
        run.writeDiagnostics(diagnostics)
    }

    /** Every line of `curvature.jsonl` so far. */
    val curvature = mutableListOf<CurvatureRecord>()

    /** Appends an ill-conditioning measurement and rewrites `curvature.jsonl` (atomically). */
    fun onCurvature(snapshot: CurvatureSnapshot) {
        curvature += CurvatureRecord.of(snapshot)
        run.writeCurvature(curvature)
    }

    override fun onEpoch(metrics: EpochMetrics) {
        epochs += EpochRecord.of(metrics)
        run.writeMetrics(epochs)
    }
}
