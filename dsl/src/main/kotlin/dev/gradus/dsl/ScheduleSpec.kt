package dev.gradus.dsl

import kotlinx.serialization.KSerializer
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.SerializationException
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.descriptors.buildClassSerialDescriptor
import kotlinx.serialization.encoding.Decoder
import kotlinx.serialization.encoding.Encoder
import kotlinx.serialization.json.JsonDecoder
import kotlinx.serialization.json.JsonEncoder
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.doubleOrNull

/**
 * A hyperparameter: a value as a function of the optimizer step (or, for batch sizes, of the
 * epoch). Every hyperparameter of every optimizer and transform spec is a `ScheduleSpec`, so
 * anything that can be a number can also be scheduled; a plain number is a [ConstantSchedule].
 *
 * **JSON.** A hyperparameter is written either as a bare number, which means a constant
 * (`"lr": 0.1`), or as an object with a `"type"` (`"lr": {"type": "cosine", "initial": 0.1,
 * "steps": 10000, "end": 0.0}`). Constants are always written as bare numbers.
 *
 * **DSL.** Kotlin has no implicit conversions and no union types, so "a number or a schedule"
 * is expressed with overloads: every optimizer factory ([sgd], [adam], [clipByGlobalNorm], ...)
 * has a *numeric* form, whose hyperparameters are all `Double` (`sgd(lr = 0.1, momentum = 0.9)`),
 * and a *scheduled* form, whose hyperparameters are all `ScheduleSpec`
 * (`sgd(lr = stepDecay(0.1, factor = 0.5, every = 1000), momentum = sutskeverMomentum(0.99))`).
 * Both have the same parameter names and defaults; the type of the arguments picks the form at
 * compile time. To mix numbers into the scheduled form, wrap them with [fixed]:
 * `sgd(lr = cosine(0.1, steps = 10_000), momentum = fixed(0.9))`. (One overload per combination
 * of types would take 2^n overloads per optimizer.)
 *
 * Steps are 0-based optimizer steps of the transform that reads the schedule (a pipeline phase
 * that does not carry state starts again at step 0); [PerEpochSchedule] reads its inner schedule
 * by epoch instead. The engine objects are built by [CompiledExperiment].
 */
@Serializable(with = ScheduleSpecSerializer::class)
sealed interface ScheduleSpec {
    companion object {
        /** The constant schedule [value] (Java: `ScheduleSpec.constant(0.9)`; Kotlin DSL: [fixed]). */
        @JvmStatic
        fun constant(value: Double): ScheduleSpec = ConstantSchedule(value)
    }
}

/** `α_t = value`. Written in JSON as the bare number. */
@Serializable
@SerialName("constant")
data class ConstantSchedule(val value: Double) : ScheduleSpec

/** `α_t = initial · factor^⌊t/every⌋` (torch StepLR). */
@Serializable
@SerialName("step-decay")
data class StepDecaySchedule(val initial: Double, val factor: Double, val every: Long) : ScheduleSpec

/** `α_t = initial · factor^(number of milestones ≤ t)` (torch MultiStepLR). */
@Serializable
@SerialName("multi-step")
data class MultiStepSchedule(val initial: Double, val factor: Double, val milestones: List<Long>) : ScheduleSpec

/** `α_t = initial · e^(−rate·t)`. */
@Serializable
@SerialName("exponential")
data class ExponentialSchedule(val initial: Double, val rate: Double) : ScheduleSpec

/** `α_t = initial / (1 + rate·t)`. */
@Serializable
@SerialName("inverse-time")
data class InverseTimeSchedule(val initial: Double, val rate: Double) : ScheduleSpec

/** Book eq. 8.14: linear from [initial] to [end] over [steps] steps, then [end]. */
@Serializable
@SerialName("linear-decay")
data class LinearDecaySchedule(val initial: Double, val steps: Long, val end: Double) : ScheduleSpec

/** `α_t = (initial − end)·(1 − min(t, steps)/steps)^power + end`. */
@Serializable
@SerialName("polynomial")
data class PolynomialSchedule @JvmOverloads constructor(
    val initial: Double,
    val steps: Long,
    val end: Double = 0.0,
    val power: Double = 1.0,
) : ScheduleSpec

/** Cosine annealing from [initial] to [end] over [steps] steps, then [end]. */
@Serializable
@SerialName("cosine")
data class CosineSchedule @JvmOverloads constructor(
    val initial: Double,
    val steps: Long,
    val end: Double = 0.0,
) : ScheduleSpec

/** Linear warm-up from [start] to `after.at(0)` over [steps] steps, then `after.at(t − steps)`. */
@Serializable
@SerialName("warmup")
data class WarmupSchedule @JvmOverloads constructor(
    val after: ScheduleSpec,
    val steps: Long,
    val start: Double = 0.0,
) : ScheduleSpec

/**
 * Piecewise: `parts[i]` applies from `boundaries[i−1]` on (part 0 from step 0) and sees the step
 * relative to its own start (Optax `join_schedules`). `boundaries.size == parts.size − 1`.
 */
@Serializable
@SerialName("join")
data class JoinSchedule(val parts: List<ScheduleSpec>, val boundaries: List<Long>) : ScheduleSpec

/** Sutskever et al. (2013): `μ_t = min(1 − 2^(−1−log₂(⌊t/every⌋+1)), max)`. */
@Serializable
@SerialName("sutskever-momentum")
data class SutskeverMomentumSchedule @JvmOverloads constructor(
    val max: Double,
    val every: Long = 250,
) : ScheduleSpec

/**
 * [ofEpoch] read by epoch: every step of epoch e (0-based, within the phase) gets
 * `ofEpoch.at(e)`. The steps per epoch are computed at compile time from the training-set size
 * after the validation hold-out and the (fixed) batch size.
 */
@Serializable
@SerialName("per-epoch")
data class PerEpochSchedule(val ofEpoch: ScheduleSpec) : ScheduleSpec

/**
 * [base] multiplied by a factor that shrinks by [factor] whenever [metric] has not improved for
 * more than [patience] evaluations (torch ReduceLROnPlateau; engine `ReduceOnPlateau`).
 * [mode] is "min" or "max", or null to follow the metric (accuracies: max, losses: min);
 * [thresholdMode] is "rel" or "abs".
 */
@Serializable
@SerialName("reduce-on-plateau")
data class ReduceOnPlateauSchedule @JvmOverloads constructor(
    val base: ScheduleSpec,
    val metric: String = "validation.loss",
    val factor: Double = 0.1,
    val patience: Int = 10,
    val threshold: Double = 1e-4,
    val thresholdMode: String = "rel",
    val cooldown: Int = 0,
    val minValue: Double = 0.0,
    val mode: String? = null,
) : ScheduleSpec

/**
 * Curriculum pacings (curricula `Pacings`): the fraction of the data, easiest first, available at
 * epoch t (0-based), in (0, 1]. Schedules like any other, so a pacing can also drive a
 * hyperparameter. `min(1, start + increment·⌊t/every⌋)`.
 */
@Serializable
@SerialName("pacing-step")
data class StepPacingSchedule(val start: Double, val increment: Double, val every: Long) : ScheduleSpec

/** `min(1, from + (to − from)·t/epochs)`, then [to]. */
@Serializable
@SerialName("pacing-linear")
data class LinearPacingSchedule(val from: Double, val to: Double, val epochs: Long) : ScheduleSpec

/** Platanios et al. 2019 competence: `min(1, (t(1 − from^p)/T + from^p)^(1/p))`; [power] 2 is their `√` competence. */
@Serializable
@SerialName("pacing-root")
data class RootPacingSchedule(val from: Double, val epochs: Long, val power: Double = 2.0) : ScheduleSpec

/** `min(1, from·(1/from)^(t/T))`: geometric growth from [from] to all the data over [epochs]. */
@Serializable
@SerialName("pacing-geometric")
data class GeometricPacingSchedule(val from: Double, val epochs: Long) : ScheduleSpec

/** Hacohen & Weinshall 2019 fixed exponential pacing: `min(1, start·factor^⌊t/every⌋)`. */
@Serializable
@SerialName("pacing-exponential")
data class ExponentialPacingSchedule(val start: Double, val factor: Double, val every: Long) : ScheduleSpec

/**
 * JSON form of [ScheduleSpec]: a bare number is a [ConstantSchedule]; an object is dispatched
 * on its `"type"`. Rejects NaN and Infinity like the rest of the spec.
 */
object ScheduleSpecSerializer : KSerializer<ScheduleSpec> {
    private val serializers: Map<String, KSerializer<out ScheduleSpec>> = listOf(
        ConstantSchedule.serializer(),
        StepDecaySchedule.serializer(),
        MultiStepSchedule.serializer(),
        ExponentialSchedule.serializer(),
        InverseTimeSchedule.serializer(),
        LinearDecaySchedule.serializer(),
        PolynomialSchedule.serializer(),
        CosineSchedule.serializer(),
        WarmupSchedule.serializer(),
        JoinSchedule.serializer(),
        SutskeverMomentumSchedule.serializer(),
        PerEpochSchedule.serializer(),
        ReduceOnPlateauSchedule.serializer(),
        StepPacingSchedule.serializer(),
        LinearPacingSchedule.serializer(),
        RootPacingSchedule.serializer(),
        GeometricPacingSchedule.serializer(),
        ExponentialPacingSchedule.serializer(),
    ).associateBy { it.descriptor.serialName }

    /** The schedule type names, as written in JSON's `"type"`. */
    val typeNames: Set<String> get() = serializers.keys

    override val descriptor: SerialDescriptor = buildClassSerialDescriptor("dev.gradus.dsl.ScheduleSpec")

    override fun serialize(encoder: Encoder, value: ScheduleSpec) {
        val json = encoder as? JsonEncoder ?: throw SerializationException("schedules are written only as JSON")
        if (value is ConstantSchedule) {
            if (!value.value.isFinite()) throw SerializationException("a schedule constant must be finite, got ${value.value}")
            json.encodeDouble(value.value)
            return
        }
        val name = typeName(value)
        @Suppress("UNCHECKED_CAST")
        val serializer = serializers.getValue(name) as KSerializer<ScheduleSpec>
        val fields = json.json.encodeToJsonElement(serializer, value) as JsonObject
        json.encodeJsonElement(JsonObject(mapOf("type" to JsonPrimitive(name)) + fields))
    }

    override fun deserialize(decoder: Decoder): ScheduleSpec {
        val json = decoder as? JsonDecoder ?: throw SerializationException("schedules are read only from JSON")
        return when (val element = json.decodeJsonElement()) {
            is JsonPrimitive -> {
                val v = if (element.isString || element is JsonNull) null else element.doubleOrNull
                when {
                    v == null -> throw SerializationException(
                        "a hyperparameter is a number or a schedule object with a \"type\", got $element",
                    )
                    !v.isFinite() -> throw SerializationException("a hyperparameter must be a finite number, got $element")
                    else -> ConstantSchedule(v)
                }
            }
            is JsonObject -> {
                val type = (element["type"] as? JsonPrimitive)?.takeIf { it.isString }?.content
                    ?: throw SerializationException(
                        "a schedule object needs a \"type\" (known: ${serializers.keys.joinToString()}), got $element",
                    )
                val serializer = serializers[type] ?: throw SerializationException(
                    "unknown schedule type '$type' (known: ${serializers.keys.joinToString()})",
                )
                json.json.decodeFromJsonElement(serializer, JsonObject(element - "type"))
            }
            else -> throw SerializationException("a hyperparameter is a number or a schedule object with a \"type\", got $element")
        }
    }

    private fun typeName(value: ScheduleSpec): String = when (value) {
        is ConstantSchedule -> "constant"
        is StepDecaySchedule -> "step-decay"
        is MultiStepSchedule -> "multi-step"
        is ExponentialSchedule -> "exponential"
        is InverseTimeSchedule -> "inverse-time"
        is LinearDecaySchedule -> "linear-decay"
        is PolynomialSchedule -> "polynomial"
        is CosineSchedule -> "cosine"
        is WarmupSchedule -> "warmup"
        is JoinSchedule -> "join"
        is SutskeverMomentumSchedule -> "sutskever-momentum"
        is PerEpochSchedule -> "per-epoch"
        is ReduceOnPlateauSchedule -> "reduce-on-plateau"
        is StepPacingSchedule -> "pacing-step"
        is LinearPacingSchedule -> "pacing-linear"
        is RootPacingSchedule -> "pacing-root"
        is GeometricPacingSchedule -> "pacing-geometric"
        is ExponentialPacingSchedule -> "pacing-exponential"
    }
}
