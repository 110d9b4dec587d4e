@file:JvmName("Specs")
@file:JvmMultifileClass

package dev.gradus.dsl

import dev.gradus.engine.data.Shapeset
import dev.gradus.engine.nn.Activation

/*
 * The DSL's vocabulary: factories for the parts of a spec and named values for activations and
 * shape families. All of them only build data; nothing runs. From Java these are static
 * methods of `dev.gradus.dsl.Specs` (with overloads for the default arguments); Java code
 * names activations and families by the engine enums, `Activation.RELU`, `Shapeset.Family.BASIC`.
 * Optimizers, schedules and stopping rules are in OptimizerDsl.kt and ScheduleDsl.kt (the same
 * `Specs` class for Java).
 */

/** An element-wise nonlinearity of a dense layer (the engine's enum; the spec stores its [Activation.id]). */
typealias ActivationName = Activation

/** A family of generated shapes (the engine's enum; the spec stores its lower-case name). */
typealias ShapesetFamily = Shapeset.Family

val identity: Activation = Activation.IDENTITY
val relu: Activation = Activation.RELU
val tanh: Activation = Activation.TANH
val sigmoid: Activation = Activation.SIGMOID
val softsign: Activation = Activation.SOFTSIGN
val softplus: Activation = Activation.SOFTPLUS

/** Squares, circles, equilateral triangles: the easy family. */
@Suppress("ObjectPropertyName", "ktlint:standard:property-naming")
val Basic: Shapeset.Family = Shapeset.Family.BASIC

/** Rectangles, ellipses, arbitrary triangles: the hard family. */
@Suppress("ObjectPropertyName", "ktlint:standard:property-naming")
val Geometric: Shapeset.Family = Shapeset.Family.GEOMETRIC

/** The spec's name of a family ("basic", "geometric"). */
val Shapeset.Family.id: String get() = name.lowercase()

/**
 * Declares an experiment and returns its spec (nothing runs). Inside a `.experiment.kts`
 * script the script's own `experiment` (see `dev.gradus.dsl.script.GradusScript`) takes
 * precedence and also registers the spec with the host.
 */
@JvmSynthetic
fun experiment(name: String, block: ExperimentBuilder.() -> Unit): ExperimentSpec =
    ExperimentBuilder(name).apply(block).build()

/**
 * Generated shape images (no download). Sizes are the bounding-circle diameter as a fraction
 * of the image side; see `dev.gradus.engine.data.ShapesetConfig`.
 */
@JvmOverloads
fun shapeset(
    family: Shapeset.Family = Basic,
    train: Int = 10_000,
    test: Int = 2_000,
    imageSize: Int = 32,
    minSize: Double = 0.4,
    maxSize: Double = 0.8,
    rotate: Boolean = true,
    inversionProbability: Double = 0.0,
    greyLevels: Boolean = true,
): ShapesetSpec = ShapesetSpec(
    family = family.id,
    train = train,
    test = test,
    imageSize = imageSize,
    minSize = minSize,
    maxSize = maxSize,
    rotate = rotate,
    inversionProbability = inversionProbability,
    greyLevels = greyLevels,
)

/**
 * Fashion-MNIST from its gzipped IDX files, optionally only the first [trainLimit] / [testLimit]
 * examples. [dir] null: `$GRADUS_DATA` or `/usr/share/datasets/fashion-mnist`.
 */
@JvmOverloads
fun fashionMnist(trainLimit: Int? = null, testLimit: Int? = null, dir: String? = null): FashionMnistSpec =
    FashionMnistSpec(dir = dir, trainLimit = trainLimit, testLimit = testLimit)

/** Glorot & Bengio (2010) normalized uniform initialization `U(±gain·√6/√(fanIn+fanOut))`. */
@JvmOverloads
fun glorotUniform(gain: Double = 1.0): InitSpec = InitSpec.glorotUniform(gain)

/** All zeros (the default for biases). */
fun zeros(): InitSpec = InitSpec.zeros()

/** Every value equal to [value], e.g. `constant(0.1)` for ReLU biases. */
fun constant(value: Double): InitSpec = InitSpec.constant(value)

/*
 * The rest of the initializer library (engine: dev.gradus.engine.init.Initializers, one registry
 * of names and arguments that validation and compilation both use).
 */

/** Where a gain-taking initializer gets its gain from the layer it initializes. */
enum class LayerGain(internal val argument: String) {
    /** torch's calculate_gain of the layer's activation: ReLU √2, tanh 5/3, linear 1, ... */
    FromActivation("gainFromActivation"),

    /** Sussillo & Abbott (2014)'s random-walk gain for the layer's width (ReLU or linear layers). */
    RandomWalk("gainRandomWalk"),
}

/** The layer's activation decides the gain: `orthogonal(gain = fromActivation)`. */
val fromActivation: LayerGain = LayerGain.FromActivation

/** Sussillo & Abbott's random-walk gain for the layer's width: `orthogonal(gain = randomWalk)`. */
val randomWalk: LayerGain = LayerGain.RandomWalk

private val GAIN_ARGUMENTS = setOf("gain", "gainFromActivation", "gainRandomWalk")

/** This initializer times [gain] (replacing any gain it had). */
fun InitSpec.withGain(gain: Double): InitSpec = copy(args = args.filterKeys { it !in GAIN_ARGUMENTS } + ("gain" to gain))

/** This initializer with its gain taken from the layer ([fromActivation] or [randomWalk]). */
fun InitSpec.withGain(gain: LayerGain): InitSpec = copy(args = args.filterKeys { it !in GAIN_ARGUMENTS } + (gain.argument to 1.0))

/** Glorot uniform with the layer's gain: `glorotUniform(gain = fromActivation)`. */
fun glorotUniform(gain: LayerGain): InitSpec = InitSpec("glorot-uniform").withGain(gain)

/** Glorot normal, variance 2/(fanIn + fanOut). */
fun glorotNormal(): InitSpec = InitSpec("glorot-normal")

/** He (Kaiming) normal, variance 2/fanIn. */
fun heNormal(): InitSpec = InitSpec("he-normal")

/** He (Kaiming) uniform, variance 2/fanIn. */
fun heUniform(): InitSpec = InitSpec("he-uniform")

/** LeCun normal, variance 1/fanIn. */
fun lecunNormal(): InitSpec = InitSpec("lecun-normal")

/** LeCun uniform, variance 1/fanIn. */
fun lecunUniform(): InitSpec = InitSpec("lecun-uniform")

/** The book's heuristic `U(−1/√m, 1/√m)` for m inputs (Glorot & Bengio's "standard" initialization). */
fun uniformFanIn(): InitSpec = InitSpec("uniform-fan-in")

/** `U(lo, hi)`. */
fun uniform(lo: Double, hi: Double): InitSpec = InitSpec("uniform", mapOf("lo" to lo, "hi" to hi))

/** `N(mean, std²)`. */
fun normal(std: Double, mean: Double = 0.0): InitSpec = InitSpec("normal", mapOf("mean" to mean, "std" to std))

/** `N(mean, std²)` redrawn outside `mean ± bound·std`. */
fun truncatedNormal(std: Double, mean: Double = 0.0, bound: Double = 2.0): InitSpec =
    InitSpec("truncated-normal", mapOf("mean" to mean, "std" to std, "bound" to bound))

/** Saxe et al. (2013): a random orthogonal matrix times [gain]. */
fun orthogonal(gain: Double = 1.0): InitSpec = InitSpec("orthogonal", mapOf("gain" to gain))

/** Saxe et al. (2013) with the layer's gain: `orthogonal(gain = fromActivation)`. */
fun orthogonal(gain: LayerGain): InitSpec = InitSpec("orthogonal").withGain(gain)

/** Martens (2010): exactly [k] non-zero incoming weights per unit, from N(0, 1)·[scale]. */
fun sparse(k: Int = 15, scale: Double = 1.0): InitSpec = InitSpec("sparse", mapOf("k" to k.toDouble(), "scale" to scale))

/** [gain] times the identity matrix (square layers only). */
fun identityMatrix(gain: Double = 1.0): InitSpec = InitSpec("identity", mapOf("gain" to gain))

/** General variance scaling: variance `scale / fan`, the fan and the distribution as given (Keras/JAX semantics). */
fun varianceScaling(
    scale: Double = 1.0,
    mode: dev.gradus.engine.init.VarianceScaling.FanMode = dev.gradus.engine.init.VarianceScaling.FanMode.IN,
    distribution: dev.gradus.engine.init.VarianceScaling.Distribution = dev.gradus.engine.init.VarianceScaling.Distribution.TRUNCATED_NORMAL,
): InitSpec = InitSpec(
    "variance-scaling",
    mapOf("scale" to scale, "mode" to mode.code().toDouble(), "distribution" to distribution.code().toDouble()),
)

/**
 * Output biases set from the training labels' class frequencies, so that the untrained network
 * predicts the label marginals (section 8.7.2): with the default loss softmax(b) equals them;
 * with [sigmoidCrossEntropy] each b_c is the logit of its class's frequency; with
 * [meanSquaredError] b_c is the mean one-hot target, the frequency itself. Only for the last
 * layer's bias: `output(classes = 10, bias = classFrequencies())`.
 */
fun classFrequencies(): InitSpec = InitSpec(InitSpec.CLASS_FREQUENCIES)

/** Softmax cross-entropy against the label: `train { loss = softmaxCrossEntropy }` (the default). */
val softmaxCrossEntropy: LossSpec get() = LossSpec.SOFTMAX_CROSS_ENTROPY

/** Independent sigmoid outputs, binary cross-entropy against one-hot targets (one-vs-rest). */
val sigmoidCrossEntropy: LossSpec get() = LossSpec.SIGMOID_CROSS_ENTROPY

/** Squared error against one-hot targets, averaged over rows and outputs (as torch.nn.MSELoss). */
val meanSquaredError: LossSpec get() = LossSpec.MEAN_SQUARED_ERROR
