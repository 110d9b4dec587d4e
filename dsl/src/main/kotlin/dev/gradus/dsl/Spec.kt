package dev.gradus.dsl

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * The experiment IR: immutable data, no tensors, no lambdas. It is what a run record stores,
 * what `rerun` reads back and what Java users may write as JSON. Field names are part of the
 * record format: rename only with a [version] bump and a migration.
 */
@Serializable
data class ExperimentSpec @JvmOverloads constructor(
    val version: Int = CURRENT_VERSION,
    val name: String,
    val seed: Long = 0,
    val backend: String = "pytorch",
    val device: String = "cpu",
    val dtype: String = "float32",
    val data: DataSpec,
    val model: ModelSpec,
    val optimizer: OptimizerSpec,
    val train: TrainSpec = TrainSpec(),
) {
    companion object {
        const val CURRENT_VERSION = 1
    }
}

/** Where examples come from. */
@Serializable
sealed interface DataSpec

/** Procedurally generated shapes (embedded, no download). */
@Serializable
@SerialName("shapeset")
data class ShapesetSpec @JvmOverloads constructor(
    val family: String = "basic",
    val train: Int = 10_000,
    val test: Int = 2_000,
    val imageSize: Int = 32,
    val minSize: Double = 0.4,
    val maxSize: Double = 0.8,
    val rotate: Boolean = true,
    val inversionProbability: Double = 0.0,
    val greyLevels: Boolean = true,
) : DataSpec

/** Fashion-MNIST from the gzipped IDX files (Debian package dataset-fashion-mnist). */
@Serializable
@SerialName("fashion-mnist")
data class FashionMnistSpec @JvmOverloads constructor(
    /** Folder of the IDX files; null means GRADUS_DATA or /usr/share/datasets/fashion-mnist. */
    val dir: String? = null,
    /** Use only the first n training examples (null: all 60,000). */
    val trainLimit: Int? = null,
    val testLimit: Int? = null,
) : DataSpec

@Serializable
data class ModelSpec @JvmOverloads constructor(
    val layers: List<LayerSpec>,
    /** Data-driven scaling of the weights after initialization (null: none; then left out of the JSON, so older specs encode as before). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val dataDriven: DataDrivenSpec? = null,
)

/**
 * Data-driven scaling (Deep Learning §8.4, engine `DataDrivenScaling`): after initialization, on
 * the first [batchSize] training examples, each dense layer's weights (not biases) are rescaled in
 * layer order until the standard deviation of its pre-activations ([measure] "pre-activation") or
 * activations ("activation") is within the relative [tolerance] of [targetStd], at most
 * [maxIterations] rescales per layer.
 */
@Serializable
data class DataDrivenSpec @JvmOverloads constructor(
    val targetStd: Double = 1.0,
    val tolerance: Double = 0.05,
    val maxIterations: Int = 10,
    val measure: String = "pre-activation",
    val batchSize: Int = 256,
)

@Serializable
sealed interface LayerSpec

/**
 * A fully connected layer followed by its element-wise [activation] (an engine `Activation` id:
 * identity, relu, tanh, sigmoid, softsign, softplus). The last layer's units are the logits.
 */
@Serializable
@SerialName("dense")
data class DenseSpec @JvmOverloads constructor(
    val units: Int,
    val activation: String = "identity",
    val weightInit: InitSpec = InitSpec.glorotUniform(),
    val biasInit: InitSpec = InitSpec.zeros(),
) : LayerSpec

/** An initializer by name with its numeric arguments ("glorot-uniform" gain, "constant" value). */
@Serializable
data class InitSpec @JvmOverloads constructor(
    val name: String,
    val args: Map<String, Double> = emptyMap(),
) {
    companion object {
        const val GLOROT_UNIFORM = "glorot-uniform"

        /** Output biases from the training labels' class frequencies (softmax(b) = frequencies). */
        const val CLASS_FREQUENCIES = "class-frequencies"
        const val ZEROS = "zeros"
        const val CONSTANT = "constant"

        /** Glorot & Bengio (2010) normalized uniform initialization, scaled by [gain]. */
        @JvmStatic
        @JvmOverloads
        fun glorotUniform(gain: Double = 1.0): InitSpec = InitSpec(GLOROT_UNIFORM, mapOf("gain" to gain))

        @JvmStatic
        fun zeros(): InitSpec = InitSpec(ZEROS)

        @JvmStatic
        fun constant(value: Double): InitSpec = InitSpec(CONSTANT, mapOf("value" to value))
    }
}

/**
 * Training settings.
 *
 * @property epochs epochs of a single-phase run (a [PipelineSpec]'s phases have their own stopping rules)
 * @property batchSize the minibatch size (of every phase whose batch size is not scheduled)
 * @property validationFraction share of the training data held out for decisions (early
 *   stopping, plateaus, targets, reduce-on-plateau); 0 holds out none. The test split is never
 *   used for a decision.
 * @property evaluateAveraged evaluate on the optimizer's averaged parameters ([PolyakSpec], [EmaSpec])
 * @property batchSizeSchedule the batch size as a function of the epoch within the phase (0-based,
 *   rounded), for every phase that does not schedule its own; null: [batchSize]
 */
@Serializable
data class TrainSpec @JvmOverloads constructor(
    val epochs: Int = 5,
    val batchSize: Int = 64,
    val shuffle: Boolean = true,
    val evalBatchSize: Int = 1000,
    val validationFraction: Double = 0.0,
    val evaluateAveraged: Boolean = false,
    val batchSizeSchedule: ScheduleSpec? = null,
)
