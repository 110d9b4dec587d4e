package dev.gradus.dsl

import dev.gradus.engine.nn.Activation
import dev.gradus.engine.tensor.Backends
import java.util.function.Consumer

/**
 * Marks the Gradus builder classes so that, inside a nested block, only the innermost builder's
 * members are implicitly available: `seed = 1` inside `model { }` is a compile error instead of
 * silently setting the experiment's seed.
 */
@DslMarker
@Target(AnnotationTarget.CLASS, AnnotationTarget.TYPE)
annotation class GradusDsl

/**
 * Declares one experiment. Builders only *describe*: [build] returns an [ExperimentSpec] and
 * nothing is validated, loaded or trained until [SpecCompiler.compile].
 *
 * Kotlin:
 * ```
 * experiment("quickstart") {
 *     seed = 7
 *     data = shapeset(family = Basic, train = 10_000, test = 2_000)
 *     model { dense(256, relu); dense(256, relu); output(classes = 3) }
 *     optimizer = sgd(lr = 0.1)
 *     train { epochs = 5; batchSize = 64 }
 * }
 * ```
 * Java: `Experiments.experiment("quickstart", e -> { e.setSeed(7); e.model(m -> m.output(3)); ... })`.
 */
@GradusDsl
class ExperimentBuilder(val name: String) {
    /** Root of every random stream (data generation, init, data order). */
    var seed: Long = 0

    /** Backend name, one of `Backends.available().keys` ("pytorch", "reference", ...). */
    var backend: String = Backends.DEFAULT

    /** "cpu", "cuda" or "cuda:N". */
    var device: String = "cpu"

    /** Floating-point type of parameters and activations: "float32" or "float64". */
    var dtype: String = "float32"

    /** Where examples come from: [shapeset] or [fashionMnist]. Required. */
    var data: DataSpec? = null

    /** The network; usually declared with [model] `{ }`. Required. */
    var model: ModelSpec? = null

    /**
     * Required: an optimizer ([sgd], [adam], ...), a [chain] of transforms, parameter [groups],
     * or a [pipeline] of phases. A non-pipeline optimizer runs as one phase "main" of
     * [TrainSpec.epochs] epochs.
     */
    var optimizer: OptimizerSpec? = null

    /** Epochs, batch sizes, validation hold-out; usually adjusted with [train] `{ }`. */
    var train: TrainSpec = TrainSpec()

    /** Declares the model's layers, first to last; replaces any model declared before. */
    @JvmSynthetic
    fun model(block: ModelBuilder.() -> Unit) {
        model = ModelBuilder().apply(block).build()
    }

    /** Java form of `model { }`. */
    fun model(block: Consumer<ModelBuilder>) {
        model = ModelBuilder().also { block.accept(it) }.build()
    }

    /** Adjusts the training settings, starting from the current ones (defaults: [TrainSpec]). */
    @JvmSynthetic
    fun train(block: TrainBuilder.() -> Unit) {
        train = TrainBuilder(train).apply(block).build()
    }

    /** Java form of `train { }`. */
    fun train(block: Consumer<TrainBuilder>) {
        train = TrainBuilder(train).also { block.accept(it) }.build()
    }

    /**
     * The spec. Throws [InvalidSpecException] naming every required part that is not set
     * (data, model, optimizer); everything else is checked by [SpecCompiler.validate].
     */
    fun build(): ExperimentSpec {
        val missing = buildList {
            if (data == null) add(SpecProblem("data", "is not set (e.g. data = shapeset(...) or fashionMnist())"))
            if (model == null) add(SpecProblem("model", "is not set (e.g. model { dense(128, relu); output(classes = 3) })"))
            if (optimizer == null) add(SpecProblem("optimizer", "is not set (e.g. optimizer = sgd(lr = 0.1))"))
        }
        if (missing.isNotEmpty()) throw InvalidSpecException(missing, name)
        return ExperimentSpec(
            version = ExperimentSpec.CURRENT_VERSION,
            name = name,
            seed = seed,
            backend = backend,
            device = device,
            dtype = dtype,
            data = data!!,
            model = model!!,
            optimizer = optimizer!!,
            train = train,
        )
    }
}

/**
 * Layers of a sequential model, first to last. The model's input size comes from the data set
 * and its last layer gives the logits (softmax cross-entropy is the loss), so it needs at least
 * as many units as the data set has classes: end with [output].
 */
@GradusDsl
class ModelBuilder {
    private val layers = mutableListOf<LayerSpec>()

    /** Weight initializer of the layers declared after this is set (default Glorot uniform). */
    var weightInit: InitSpec = InitSpec.glorotUniform()

    /** Bias initializer of the layers declared after this is set (default zeros). */
    var biasInit: InitSpec = InitSpec.zeros()

    /** A fully connected layer of [units] followed by [activation]. */
    @JvmOverloads
    fun dense(
        units: Int,
        activation: Activation = Activation.IDENTITY,
        init: InitSpec = weightInit,
        bias: InitSpec = biasInit,
    ) {
        layers += DenseSpec(units = units, activation = activation.id(), weightInit = init, biasInit = bias)
    }

    /** The output layer: [classes] linear units giving the logits. */
    @JvmOverloads
    fun output(classes: Int, init: InitSpec = weightInit, bias: InitSpec = biasInit) {
        dense(classes, Activation.IDENTITY, init, bias)
    }

    /** Appends a layer spec as is (for layers built elsewhere, e.g. a shared library of models). */
    fun layer(spec: LayerSpec) {
        layers += spec
    }

    /** Data-driven scaling of the weights after initialization; null (the default) for none. */
    var dataDriven: DataDrivenSpec? = null

    /**
     * After initialization, rescale each dense layer's weights on the first [batchSize] training
     * examples until the std of its pre-activations (or activations: [measure] = "activation") is
     * within the relative [tolerance] of [targetStd]; see [DataDrivenSpec].
     */
    @JvmOverloads
    fun dataDriven(
        targetStd: Double = 1.0,
        tolerance: Double = 0.05,
        maxIterations: Int = 10,
        measure: String = "pre-activation",
        batchSize: Int = 256,
    ) {
        dataDriven = DataDrivenSpec(targetStd, tolerance, maxIterations, measure, batchSize)
    }

    fun build(): ModelSpec = ModelSpec(layers.toList(), dataDriven)
}

/** Training settings; starts from the values it is given. See [TrainSpec] for each. */
@GradusDsl
class TrainBuilder @JvmOverloads constructor(from: TrainSpec = TrainSpec()) {
    var epochs: Int = from.epochs
    var batchSize: Int = from.batchSize
    var shuffle: Boolean = from.shuffle
    var evalBatchSize: Int = from.evalBatchSize

    /** Share of the training data held out for decisions (early stopping, plateaus, reduce-on-plateau). */
    var validationFraction: Double = from.validationFraction

    /** Evaluate on the optimizer's averaged parameters (needs [polyak] or [ema] in the optimizer). */
    var evaluateAveraged: Boolean = from.evaluateAveraged

    /** The batch size by epoch (e.g. `stepDecay(32.0, factor = 2.0, every = 5)` doubles it every 5 epochs); null: [batchSize]. */
    var batchSizeSchedule: ScheduleSpec? = from.batchSizeSchedule

    fun build(): TrainSpec = TrainSpec(
        epochs = epochs,
        batchSize = batchSize,
        shuffle = shuffle,
        evalBatchSize = evalBatchSize,
        validationFraction = validationFraction,
        evaluateAveraged = evaluateAveraged,
        batchSizeSchedule = batchSizeSchedule,
    )
}

/**
 * The receiver of the blocks that give one optimizer (`group(...) { sgd(0.1) }`,
 * `phase(...) { adam() }`): it has no members, and as a [GradusDsl] receiver it hides the
 * enclosing builders, so that a block cannot declare another group or phase by accident.
 */
@GradusDsl
object OptimizerScope

/** Parameter groups, in order; see [groups]. */
@GradusDsl
class GroupsBuilder @JvmOverloads constructor(
    /** The optimizer of the parameters no group claims; null: every parameter must be claimed. */
    var otherwise: OptimizerSpec? = null,
) {
    private val groups = mutableListOf<GroupSpec>()

    /** A group [name] of the parameters matching any of [patterns] (`"**.bias"`, `"layers.0.*"`). */
    @JvmSynthetic
    fun group(name: String, vararg patterns: String, optimizer: OptimizerScope.() -> OptimizerSpec) {
        groups += GroupSpec(name, patterns.toList(), OptimizerScope.optimizer())
    }

    /** Java form of `group(name, patterns) { optimizer }`. */
    fun group(name: String, patterns: List<String>, optimizer: OptimizerSpec) {
        groups += GroupSpec(name, patterns.toList(), optimizer)
    }

    fun group(name: String, pattern: String, optimizer: OptimizerSpec) {
        group(name, listOf(pattern), optimizer)
    }

    fun build(): GroupsSpec = GroupsSpec(groups.toList(), otherwise)
}

/** The phases of an optimizer pipeline, in order; see [pipeline]. */
@GradusDsl
class PipelineBuilder {
    private val phases = mutableListOf<PhaseSpec>()

    /**
     * A phase of [epochs] epochs. [carryState]: start from the previous phase's optimizer state
     * (same optimizer structure) instead of a fresh one; [batchSize]: the batch size by epoch.
     */
    @JvmSynthetic
    fun phase(
        name: String,
        epochs: Int,
        carryState: Boolean = false,
        batchSize: ScheduleSpec? = null,
        optimizer: OptimizerScope.() -> OptimizerSpec,
    ) {
        phases += PhaseSpec(name, OptimizerScope.optimizer(), EpochsStop(epochs), carryState, batchSize)
    }

    /** A phase that ends [until] a stopping rule says so: [epochs], [steps], [target], [plateau], [earlyStopping]. */
    @JvmSynthetic
    fun phase(
        name: String,
        until: StopSpec,
        carryState: Boolean = false,
        batchSize: ScheduleSpec? = null,
        optimizer: OptimizerScope.() -> OptimizerSpec,
    ) {
        phases += PhaseSpec(name, OptimizerScope.optimizer(), until, carryState, batchSize)
    }

    /** Java form of `phase(name, until) { optimizer }`. */
    @JvmOverloads
    fun phase(name: String, until: StopSpec, optimizer: OptimizerSpec, carryState: Boolean = false, batchSize: ScheduleSpec? = null) {
        phases += PhaseSpec(name, optimizer, until, carryState, batchSize)
    }

    /** Appends a phase spec as is. */
    fun phase(spec: PhaseSpec) {
        phases += spec
    }

    fun build(): PipelineSpec = PipelineSpec(phases.toList())
}
