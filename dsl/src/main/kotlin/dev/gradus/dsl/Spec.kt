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
    /** Pre-training stages before the main training (null: none; then left out of the JSON). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val pretrain: PretrainSpec? = null,
    /** Which examples each epoch of the main training uses (null: all, shuffled). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val curriculum: CurriculumSpec? = null,
    /** Easier objectives first, annealed to the real one (null: none). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val continuation: ContinuationSpec? = null,
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

/**
 * Several data sets' training examples one after the other (metadata `source` = the part's
 * index: a curriculum's difficulty), tested on part [testFrom]'s test split (default: the
 * last). Bengio et al. 2009's shapes: basic then geometric Shapeset.
 */
@Serializable
@SerialName("concat")
data class ConcatDataSpec @JvmOverloads constructor(val parts: List<DataSpec>, val testFrom: Int = -1) : DataSpec

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
    /** Auxiliary classifiers on intermediate layers whose weighted losses join the objective. */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val heads: List<AuxiliaryHeadSpec> = emptyList(),
    /** Layers copied from recorded runs after initialization (Yosinski et al. 2014; growing a network deeper). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val transfers: List<TransferSpec> = emptyList(),
)

/**
 * An auxiliary output layer on the output of `model.layers[after]` (deeply-supervised nets,
 * GoogLeNet): linear units, one per class, whose loss times [weight] joins the objective during
 * training. Evaluation uses the main output only.
 */
@Serializable
data class AuxiliaryHeadSpec @JvmOverloads constructor(
    val after: Int,
    val weight: Double = 0.3,
    val weightInit: InitSpec = InitSpec.glorotUniform(),
)

/**
 * Copy [count] layers starting at layer [fromLayer] of a recorded run's final parameters into
 * layers [toLayer].. of this model, after initialization; [freeze] keeps them fixed during
 * training. [run] is a run directory (holding `parameters.bin`), a `parameters.bin` file, or an
 * experiment's folder of runs (its newest run with parameters is used); relative paths resolve
 * against the working directory.
 */
@Serializable
data class TransferSpec @JvmOverloads constructor(
    val run: String,
    val fromLayer: Int = 0,
    val count: Int = 1,
    val toLayer: Int = fromLayer,
    val freeze: Boolean = false,
)

/**
 * Pre-training before the main training. The main training (the spec's `train` and `optimizer`)
 * then starts from the pre-trained layers and trains all of them: the joint fine-tuning.
 */
@Serializable
sealed interface PretrainSpec

/**
 * Greedy layer-wise supervised pre-training (Bengio et al. 2007): stage k trains hidden layer k
 * (`model.layers[k]`, every layer but the last being a hidden one) under a fresh output layer
 * shaped like the model's last, for [epochsPerLayer] epochs with [optimizer] (null: the
 * experiment's). [lowerLayers] "frozen" keeps the layers below fixed, "fine-tuned" trains them
 * too; [jointAfterEachStage] adds a stage training all layers so far after each one; with
 * [concatInput] (Yu et al. 2010) hidden layer k ≥ 1 sees the previous layer's output next to the
 * raw input, in pre-training and in the final model.
 */
@Serializable
@SerialName("greedy-layerwise")
data class GreedyLayerwiseSpec @JvmOverloads constructor(
    val epochsPerLayer: Int = 2,
    val lowerLayers: String = "frozen",
    val jointAfterEachStage: Boolean = false,
    val concatInput: Boolean = false,
    val optimizer: OptimizerSpec? = null,
) : PretrainSpec

/**
 * Data-driven scaling (Deep Learning §8.4, engine `DataDrivenScaling`): after initialization, on
 * the first [batchSize] training examples, each dense layer's weights (not biases) are rescaled in
 * layer order until the standard deviation of its pre-activations ([measure] "pre-activation") or
 * activations ("activation") is within the relative [tolerance] of [targetStd], at most
 * [maxIterations] rescales per layer. With [checkGradients], the back-propagated gradients are
 * then measured on the same batch and layers whose gradient std is off the top layer's by more
 * than [gradientTolerance] are flagged (engine `DataDrivenScaling.checkGradients`).
 */
@Serializable
data class DataDrivenSpec @JvmOverloads constructor(
    val targetStd: Double = 1.0,
    val tolerance: Double = 0.05,
    val maxIterations: Int = 10,
    val measure: String = "pre-activation",
    val batchSize: Int = 256,
    /** After scaling, compare each dense layer's back-propagated gradient std with the top layer's (a check; nothing is rescaled). */
    val checkGradients: Boolean = false,
    /** A checked layer is flagged when its gradient ratio leaves [1/(1+t), 1+t]. */
    val gradientTolerance: Double = 1.0,
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

/**
 * Batch normalization (Ioffe & Szegedy 2015) over the batch, as torch's BatchNorm1d: learned
 * `scale` (initialized to 1) and `shift`, running statistics for evaluation.
 */
@Serializable
@SerialName("batch-norm")
data class BatchNormSpec @JvmOverloads constructor(
    val momentum: Double = 0.1,
    val epsilon: Double = 1e-5,
) : LayerSpec

/** Inverted dropout with drop probability [rate], drawing from the run's `dropout` stream; identity in evaluation. */
@Serializable
@SerialName("dropout")
data class DropoutSpec(val rate: Double) : LayerSpec

/**
 * `after(body(x) + skip)`: skip is x itself, or a learned linear projection when [projection] is
 * true (needed when the body changes the width).
 */
@Serializable
@SerialName("residual")
data class ResidualSpec @JvmOverloads constructor(
    val body: List<LayerSpec>,
    val projection: Boolean = false,
    val activation: String = "identity",
    val projectionInit: InitSpec = InitSpec.glorotUniform(),
) : LayerSpec

/**
 * A highway layer with a carry gate: `c = σ(x·W_cᵀ + b_c)`, `y = c ⊙ x + (1 − c) ⊙ f(x·Wᵀ + b)`;
 * the gate bias starts at [gateBias] (the book's "gate bias of 1": start by mostly carrying).
 */
@Serializable
@SerialName("highway")
data class HighwaySpec @JvmOverloads constructor(
    val activation: String = "relu",
    val weightInit: InitSpec = InitSpec.glorotUniform(),
    val gateBias: InitSpec = InitSpec.constant(1.0),
) : LayerSpec

/**
 * An Elman recurrent layer (tanh): each input row is a sequence of steps of [stepFeatures]
 * values (Fashion-MNIST: 28 rows of 28 pixels); the output is the last hidden state of
 * [hidden] units. Trained by back-propagation through time.
 */
@Serializable
@SerialName("elman")
data class ElmanSpec @JvmOverloads constructor(
    val stepFeatures: Int,
    val hidden: Int,
    val inputInit: InitSpec = InitSpec.glorotUniform(),
    val recurrentInit: InitSpec = InitSpec("orthogonal"),
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
 * @property loss the objective on the outputs and the labels
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
    val loss: LossSpec = LossSpec.SOFTMAX_CROSS_ENTROPY,
    /** Signal-propagation diagnostics logged during training (null: none; then left out of the JSON, so older specs encode as before). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val diagnostics: DiagnosticsSpec? = null,
    /** The ill-conditioning monitor (gᵀg, gᵀHg; null: none; then left out of the JSON). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val curvature: CurvatureSpec? = null,
    /** Checkpoints for `gradus resume` (on by default; left out of the JSON while default, so older specs encode as before). */
    @OptIn(ExperimentalSerializationApi::class)
    @EncodeDefault(EncodeDefault.Mode.NEVER)
    val checkpoints: CheckpointSpec = CheckpointSpec(),
)

/**
 * Checkpoints of a recorded run (engine `CheckpointStore`, in the run's `checkpoints/` folder):
 * after every [everyEpochs]-th epoch of a stage (and at the start of each batch-method phase),
 * keeping the last [keepLast] and, with [keepBest], the best by [metric] (null: `validation.loss`
 * when a validation split is held out, else `train.loss`). [enabled] false takes none; such a
 * run cannot be resumed.
 */
@Serializable
data class CheckpointSpec @JvmOverloads constructor(
    val enabled: Boolean = true,
    val everyEpochs: Int = 1,
    val keepLast: Int = 2,
    val keepBest: Boolean = true,
    val metric: String? = null,
)

/**
 * The ill-conditioning monitor of section 8.2.1 (engine `IllConditioningMonitor`): on a fixed
 * probe batch, the first [batchSize] training examples after the validation hold-out, it measures
 * `gᵀg`, `gᵀHg` (one exact Hessian-vector product), the predicted change `−ε gᵀg + ½ ε² gᵀHg` of
 * a gradient step at the learning rate ε in force, and `‖g‖`: at initialization, after every
 * [everyEpochs]-th epoch (0: never) and after every [everySteps]-th optimizer step (0: never).
 */
@Serializable
data class CurvatureSpec @JvmOverloads constructor(
    val everyEpochs: Int = 1,
    val everySteps: Int = 0,
    val batchSize: Int = 256,
)

/**
 * Signal-propagation diagnostics (engine `DiagnosticsMonitor`): per-layer activation, saturation,
 * gradient and Jacobian statistics measured on a fixed probe batch, the first [batchSize] training
 * examples after the validation hold-out, at initialization (epoch 0) and after every
 * [everyEpochs]-th epoch; the mean Jacobian singular value is averaged over the first
 * [jacobianExamples] of them (0: not measured).
 */
@Serializable
data class DiagnosticsSpec @JvmOverloads constructor(
    val everyEpochs: Int = 1,
    val batchSize: Int = 256,
    val jacobianExamples: Int = 16,
)

/** The objective, by the engine's id; see [dev.gradus.engine.train.Loss]. */
@Serializable
enum class LossSpec(val id: String) {
    /** Categorical: softmax over the outputs, cross-entropy against the label. */
    @SerialName("softmax-cross-entropy") SOFTMAX_CROSS_ENTROPY("softmax-cross-entropy"),

    /** Independent sigmoid outputs against one-hot targets (one-vs-rest). */
    @SerialName("sigmoid-cross-entropy") SIGMOID_CROSS_ENTROPY("sigmoid-cross-entropy"),

    /** Squared error of the outputs against one-hot targets, averaged over rows and outputs. */
    @SerialName("mean-squared-error") MEAN_SQUARED_ERROR("mean-squared-error"),
}
