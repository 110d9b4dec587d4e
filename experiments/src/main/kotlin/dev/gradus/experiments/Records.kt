package dev.gradus.experiments

import dev.gradus.engine.curvature.CurvatureSnapshot
import dev.gradus.engine.diagnostics.DiagnosticsSnapshot
import dev.gradus.engine.train.EpochMetrics
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/** JSON settings of every run-record file: stable, readable, NaN refused. */
internal val recordJson = Json {
    prettyPrint = true
    encodeDefaults = true
    ignoreUnknownKeys = true
}

/** One JSON line per line of `metrics.jsonl`. */
internal val lineJson = Json {
    encodeDefaults = true
    ignoreUnknownKeys = true
}

/** One epoch in `metrics.jsonl`. Timing fields vary between runs; the others must not. */
@Serializable
data class EpochRecord(
    val stage: String,
    val epoch: Int,
    val step: Long,
    val trainLoss: Double,
    val testLoss: Double,
    val testAccuracy: Double,
    val seconds: Double,
    val samplesPerSecond: Double,
    val phase: String = "main",
    /** Absent when the run holds out no validation split. */
    val validationLoss: Double? = null,
    val validationAccuracy: Double? = null,
    val batchSize: Int? = null,
    /** The optimizer's hyperparameters at the end of the epoch (lr, momentum, ...): schedules over time. */
    val hyperparameters: Map<String, Double> = emptyMap(),
) {
    /** The part of the record that a rerun must reproduce bit for bit. */
    fun deterministicPart() = listOf(stage, phase, epoch, step, trainLoss, testLoss, testAccuracy, validationLoss, validationAccuracy, batchSize, hyperparameters)

    companion object {
        fun of(m: EpochMetrics) = EpochRecord(
            m.stage(), m.epoch(), m.steps(), m.trainLoss(), m.testLoss(), m.testAccuracy(), m.seconds(), m.samplesPerSecond(),
            m.phase(), m.validationLoss().takeUnless { it.isNaN() }, m.validationAccuracy().takeUnless { it.isNaN() },
            m.batchSize(), m.hyperparameters().filterValues { it.isFinite() },
        )
    }
}

/** One layer's data-driven initialization scale in `summary.json`. */
@Serializable
data class InitScaleRecord(
    val layer: Int,
    val scale: Double,
    val stdBefore: Double,
    val stdAfter: Double,
    val iterations: Int,
    val converged: Boolean,
)

/** One training stage in `summary.json`. */
@Serializable
data class StageRecord(
    val name: String,
    /** Paths of the parameters the stage trained. */
    val trained: List<String>,
    /** Paths of the parameters it kept fixed. */
    val frozen: List<String>,
    val epochs: Int,
    val steps: Long,
    val seconds: Double,
    val finalTestLoss: Double?,
    val finalTestAccuracy: Double?,
)

/** One dense layer's back-propagated gradient after data-driven scaling, in `summary.json`. */
@Serializable
data class InitGradientRecord(
    val layer: Int,
    val gradientStd: Double,
    /** Relative to the top dense layer's. */
    val ratio: Double,
    val withinTolerance: Boolean,
)

/** One optimizer phase in `summary.json`. */
@Serializable
data class PhaseRecord(
    val name: String,
    val epochs: Int,
    val steps: Long,
    val stopReason: String,
    val restoredEpoch: Int = 0,
    /** The stage the phase ran in ("train", or a pre-training stage). */
    val stage: String = "train",
)

/** `run.json`: written when the run starts. */
@Serializable
data class RunInfo(
    val experiment: String,
    val runId: String,
    val startedAt: String,
    val command: String,
    val scriptFile: String? = null,
    val scriptSha256: String? = null,
    val rerunOf: String? = null,
)

/** `env.json`: where and with what the run ran. */
@Serializable
data class EnvRecord(
    val gradusVersion: String,
    val backend: String,
    val backendDescription: String,
    val device: String,
    val threads: Int,
    val ompWaitPolicy: String?,
    val javaVersion: String,
    val javaVendor: String,
    val jvm: String,
    val os: String,
    val arch: String,
    val cpus: Int,
    val gitCommit: String? = null,
    val gitDirty: Boolean? = null,
)

/** `summary.json`: written last; its presence with status "finished" is what makes a run finished. */
@Serializable
data class RunSummary(
    val status: String,
    val experiment: String,
    val runId: String,
    val startedAt: String,
    val endedAt: String,
    val wallSeconds: Double,
    val epochs: Int = 0,
    val steps: Long = 0,
    val finalTrainLoss: Double? = null,
    val finalTestLoss: Double? = null,
    val finalTestAccuracy: Double? = null,
    val parameterCount: Long? = null,
    /** JVM start to the first training step. */
    val coldStartSeconds: Double? = null,
    val scriptCompileSeconds: Double? = null,
    val scriptCacheHit: Boolean? = null,
    val phases: List<PhaseRecord> = emptyList(),
    /** Per-layer weight scales of the data-driven initialization, when the spec asks for it. */
    val initScales: List<InitScaleRecord> = emptyList(),
    /** Every stage (pre-training stages, then "train"): what it trained, how long, where it ended. */
    val stages: List<StageRecord> = emptyList(),
    /** Per dense layer, the gradient check after data-driven scaling, when the spec asks for it. */
    val initGradients: List<InitGradientRecord> = emptyList(),
    val error: String? = null,
) {
    companion object {
        const val FINISHED = "finished"
        const val FAILED = "failed"
        const val INCOMPLETE = "incomplete"
    }
}

/**
 * One layer of one signal-propagation snapshot: a line of `diagnostics.jsonl` (engine
 * `LayerStatistics`; statistics that are NaN or infinite, i.e. not defined for the layer, are null).
 */
@Serializable
data class DiagnosticsRecord(
    /** 0 at initialization, else the epoch after which it was measured. */
    val epoch: Int,
    val step: Long,
    val phase: String,
    val layer: Int,
    val kind: String,
    val activationMean: Double?,
    val activationStd: Double?,
    val saturationFraction: Double?,
    val backpropGradientStd: Double?,
    val weightGradientNorm: Double?,
    val meanJacobianSingularValue: Double?,
    val preActivationGradientStd: Double?,
) {
    companion object {
        fun of(s: DiagnosticsSnapshot): List<DiagnosticsRecord> = s.layers().map { l ->
            fun f(v: Double) = v.takeIf { it.isFinite() }
            DiagnosticsRecord(
                s.epoch(), s.step(), s.phase(), l.index(), l.kind(), f(l.activationMean()), f(l.activationStd()),
                f(l.saturationFraction()), f(l.backpropGradientStd()), f(l.weightGradientNorm()),
                f(l.meanJacobianSingularValue()), f(l.preActivationGradientStd()),
            )
        }
    }
}

/**
 * One ill-conditioning measurement (engine `CurvatureSnapshot`, section 8.2.1): a line of
 * `curvature.jsonl`. Values that are NaN or infinite (the predicted change when the learning rate
 * is unknown) are null.
 */
@Serializable
data class CurvatureRecord(
    /** 0 at initialization, else the epoch during or after which it was measured. */
    val epoch: Int,
    /** Optimizer steps taken when it was measured. */
    val step: Long,
    val phase: String,
    /** ε of the prediction: the learning rate in force (null: unknown). */
    val learningRate: Double?,
    val gTg: Double?,
    val gTHg: Double?,
    /** `−ε gᵀg + ½ ε² gᵀHg`. */
    val predictedChange: Double?,
    val gradientNorm: Double?,
) {
    companion object {
        fun of(s: CurvatureSnapshot): CurvatureRecord {
            fun f(v: Double) = v.takeIf { it.isFinite() }
            return CurvatureRecord(s.epoch(), s.step(), s.phase(), f(s.learningRate()), f(s.gTg()), f(s.gTHg()), f(s.predictedChange()), f(s.gradientNorm()))
        }
    }
}
