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

    /** Pre-training before the main training; usually declared with [pretrain] `{ }`. */
    var pretrain: PretrainSpec? = null

    /** Which examples each epoch trains on; usually declared with [curriculum] `{ }`. */
    var curriculum: CurriculumSpec? = null

    /** Easier objectives first; usually declared with [continuation] `{ }`. */
    var continuation: ContinuationSpec? = null

    /** Declares the curriculum of the main training. */
    @JvmSynthetic
    fun curriculum(block: CurriculumBuilder.() -> Unit) {
        curriculum = CurriculumBuilder().apply(block).build()
    }

    /** Java form of `curriculum { }`. */
    fun curriculum(block: Consumer<CurriculumBuilder>) {
        curriculum = CurriculumBuilder().also { block.accept(it) }.build()
    }

    /** Declares the continuation of the main training. */
    @JvmSynthetic
    fun continuation(block: ContinuationBuilder.() -> Unit) {
        continuation = ContinuationBuilder().apply(block).build()
    }

    /** Java form of `continuation { }`. */
    fun continuation(block: Consumer<ContinuationBuilder>) {
        continuation = ContinuationBuilder().also { block.accept(it) }.build()
    }

    /** Declares the pre-training: `pretrain { greedyLayerwise(epochsPerLayer = 2) }`. */
    @JvmSynthetic
    fun pretrain(block: PretrainBuilder.() -> Unit) {
        pretrain = PretrainBuilder().apply(block).spec
    }

    /** Java form of `pretrain { }`. */
    fun pretrain(block: Consumer<PretrainBuilder>) {
        pretrain = PretrainBuilder().also { block.accept(it) }.spec
    }

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
            pretrain = pretrain,
            curriculum = curriculum,
            continuation = continuation,
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
    internal val layers = mutableListOf<LayerSpec>()

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

    /** Batch normalization over the minibatch (torch's BatchNorm1d): learned scale (from 1) and shift, running statistics. */
    @JvmOverloads
    fun batchNorm(momentum: Double = 0.1, epsilon: Double = 1e-5) {
        layers += BatchNormSpec(momentum, epsilon)
    }

    /** Inverted dropout with drop probability [rate], from the run's own `dropout` random stream. */
    fun dropout(rate: Double) {
        layers += DropoutSpec(rate)
    }

    /**
     * A residual block `activation(body(x) + x)`, or `+ W·x` with [projection] when the body changes
     * the width: `residual { dense(128, relu); dense(128) }`.
     */
    @JvmSynthetic
    fun residual(projection: Boolean = false, activation: Activation = Activation.IDENTITY, body: ModelBuilder.() -> Unit) {
        val inner = ModelBuilder().also { it.weightInit = weightInit; it.biasInit = biasInit }.apply(body)
        layers += ResidualSpec(inner.layers.toList(), projection, activation.id())
    }

    /** Java form of `residual { }`. */
    @JvmOverloads
    fun residual(body: Consumer<ModelBuilder>, projection: Boolean = false, activation: Activation = Activation.IDENTITY) {
        val inner = ModelBuilder().also { it.weightInit = weightInit; it.biasInit = biasInit }.also { body.accept(it) }
        layers += ResidualSpec(inner.layers.toList(), projection, activation.id())
    }

    /** A highway layer of the same width as its input, its carry gate's bias starting at [gateBias] (1 by default). */
    @JvmOverloads
    fun highway(activation: Activation = Activation.RELU, init: InitSpec = weightInit, gateBias: InitSpec = InitSpec.constant(1.0)) {
        layers += HighwaySpec(activation.id(), init, gateBias)
    }

    /** An Elman (tanh) recurrent layer over steps of [stepFeatures] inputs, giving its last hidden state of [hidden] units. */
    @JvmOverloads
    fun elman(
        stepFeatures: Int,
        hidden: Int,
        inputInit: InitSpec = InitSpec.glorotUniform(),
        recurrentInit: InitSpec = InitSpec("orthogonal"),
        bias: InitSpec = InitSpec.zeros(),
    ) {
        layers += ElmanSpec(stepFeatures, hidden, inputInit, recurrentInit, bias)
    }

    /** An auxiliary classifier on the output of layer [after] (0-based) whose loss, times [weight], joins the objective. */
    @JvmOverloads
    fun auxiliaryHead(after: Int, weight: Double = 0.3, init: InitSpec = InitSpec.glorotUniform()) {
        heads += AuxiliaryHeadSpec(after, weight, init)
    }

    /**
     * After initialization, copy [layers] of a recorded [run]'s final parameters into this model
     * at [to] onwards (the same indices by default), frozen during training when [freeze]:
     * `copyFrom(run = "runs/shallow", layers = 0..1, freeze = true)`. Twice from the same run
     * grows a network deeper (its first and last layers, a fresh middle).
     */
    @JvmOverloads
    fun copyFrom(run: String, layers: IntRange, to: Int = layers.first, freeze: Boolean = false) {
        transfers += TransferSpec(run, layers.first, layers.last - layers.first + 1, to, freeze)
    }

    private val heads = mutableListOf<AuxiliaryHeadSpec>()
    private val transfers = mutableListOf<TransferSpec>()

    /** Appends a layer spec as is (for layers built elsewhere, e.g. a shared library of models). */
    fun layer(spec: LayerSpec) {
        layers += spec
    }

    /** Data-driven scaling of the weights after initialization; null (the default) for none. */
    var dataDriven: DataDrivenSpec? = null

    /**
     * After initialization, rescale each dense layer's weights on the first [batchSize] training
     * examples until the std of its pre-activations (or activations: [measure] = "activation") is
     * within the relative [tolerance] of [targetStd]; with [checkGradients], then report layers whose
     * back-propagated gradient std is off the top layer's by more than [gradientTolerance]; see [DataDrivenSpec].
     */
    @JvmOverloads
    fun dataDriven(
        targetStd: Double = 1.0,
        tolerance: Double = 0.05,
        maxIterations: Int = 10,
        measure: String = "pre-activation",
        batchSize: Int = 256,
        checkGradients: Boolean = false,
        gradientTolerance: Double = 1.0,
    ) {
        dataDriven = DataDrivenSpec(targetStd, tolerance, maxIterations, measure, batchSize, checkGradients, gradientTolerance)
    }

    fun build(): ModelSpec = ModelSpec(layers.toList(), dataDriven, heads.toList(), transfers.toList())
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

    /** The objective: [softmaxCrossEntropy] (default), [sigmoidCrossEntropy] or [meanSquaredError]. */
    var loss: LossSpec = from.loss

    /** Signal-propagation diagnostics logged into the run record; null (default): none. See [diagnostics]. */
    var diagnostics: DiagnosticsSpec? = from.diagnostics

    /**
     * Measure per-layer signal-propagation statistics on the first [batchSize] training examples
     * at initialization and after every [everyEpochs]-th epoch (the mean Jacobian singular value
     * over [jacobianExamples] of them); the run record gets them as `diagnostics.jsonl`.
     */
    @JvmOverloads
    fun diagnostics(everyEpochs: Int = 1, batchSize: Int = 256, jacobianExamples: Int = 16) {
        diagnostics = DiagnosticsSpec(everyEpochs, batchSize, jacobianExamples)
    }

    /** The ill-conditioning monitor logged into the run record; null (default): none. See [curvature]. */
    var curvature: CurvatureSpec? = from.curvature

    /**
     * Monitor ill-conditioning (section 8.2.1): gᵀg, gᵀHg, the predicted change of a gradient step
     * and ‖g‖ on the first [batchSize] training examples, at initialization, after every
     * [everyEpochs]-th epoch and every [everySteps]-th step (0: never); the run record gets them as
     * `curvature.jsonl`.
     */
    @JvmOverloads
    fun curvature(everyEpochs: Int = 1, everySteps: Int = 0, batchSize: Int = 256) {
        curvature = CurvatureSpec(everyEpochs, everySteps, batchSize)
    }

    /** Checkpoints for `gradus resume`; on by default. See [checkpoints] and [noCheckpoints]. */
    var checkpoints: CheckpointSpec = from.checkpoints

    /**
     * Save a checkpoint after every [everyEpochs]-th epoch, keeping the last [keepLast] and, with
     * [keepBest], the best by [metric] (null: `validation.loss` with a validation split, else `train.loss`).
     */
    @JvmOverloads
    fun checkpoints(everyEpochs: Int = 1, keepLast: Int = 2, keepBest: Boolean = true, metric: String? = null) {
        checkpoints = CheckpointSpec(true, everyEpochs, keepLast, keepBest, metric)
    }

    /** Take no checkpoints (the run cannot be resumed). */
    fun noCheckpoints() {
        checkpoints = checkpoints.copy(enabled = false)
    }

    fun build(): TrainSpec = TrainSpec(
        epochs = epochs,
        batchSize = batchSize,
        shuffle = shuffle,
        evalBatchSize = evalBatchSize,
        validationFraction = validationFraction,
        evaluateAveraged = evaluateAveraged,
        batchSizeSchedule = batchSizeSchedule,
        loss = loss,
        diagnostics = diagnostics,
        curvature = curvature,
        checkpoints = checkpoints,
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

/** The receiver of `pretrain { }`: declares one pre-training procedure. */
@GradusDsl
class PretrainBuilder {
    internal var spec: PretrainSpec? = null

    /**
     * Greedy layer-wise supervised pre-training: each hidden layer in turn under a fresh output
     * layer, [lowerLayers] "frozen" or "fine-tuned", for [epochsPerLayer] epochs with [optimizer]
     * (null: the experiment's); see [GreedyLayerwiseSpec].
     */
    @JvmOverloads
    fun greedyLayerwise(
        epochsPerLayer: Int = 2,
        lowerLayers: String = "frozen",
        jointAfterEachStage: Boolean = false,
        concatInput: Boolean = false,
        optimizer: OptimizerSpec? = null,
    ) {
        spec = GreedyLayerwiseSpec(epochsPerLayer, lowerLayers, jointAfterEachStage, concatInput, optimizer)
    }
}
