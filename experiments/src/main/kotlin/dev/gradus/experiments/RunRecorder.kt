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

    /** Seconds from JVM start to the first training step, once it has run. */
    var coldStartSeconds: Double? = null
        private set

    override fun onStep(event: StepEvent) {
        if (coldStartSeconds == null) {
            val jvmStart = ManagementFactory.getRuntimeMXBean().startTime
            coldStartSeconds = (System.currentTimeMillis() - jvmStart) / 1000.0
        }
    }

    override fun onPhaseEnd(result: PhaseResult) {
        phases += PhaseRecord(result.name(), result.epochs(), result.steps(), result.stopReason(), result.restoredEpoch())
    }

    override fun onEpoch(metrics: EpochMetrics) {
        epochs += EpochRecord.of(metrics)
        run.writeMetrics(epochs)
    }
}
