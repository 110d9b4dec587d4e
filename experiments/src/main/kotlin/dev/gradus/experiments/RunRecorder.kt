package dev.gradus.experiments

import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import java.lang.management.ManagementFactory

/** Writes each epoch's metrics into the run record as it finishes, and notes when training began. */
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
        phases += PhaseRecord(result.name(), result.epochs(), result.steps(), result.stopReason(), result.restoredEpoch())
    }

    override fun onEpoch(metrics: EpochMetrics) {
        epochs += EpochRecord.of(metrics)
        run.writeMetrics(epochs)
    }
}
