package dev.gradus.dsl

import dev.gradus.engine.data.DataException
import dev.gradus.engine.data.Dataset
import dev.gradus.engine.data.FashionMnist
import dev.gradus.engine.data.Shapeset
import dev.gradus.engine.data.ShapesetConfig
import dev.gradus.engine.data.Split
import dev.gradus.engine.init.ClassFrequencyBias
import dev.gradus.engine.init.DataDrivenScaling
import dev.gradus.engine.init.Initializer
import dev.gradus.engine.nn.Activation
import dev.gradus.engine.nn.Dense
import dev.gradus.engine.nn.Layer
import dev.gradus.engine.nn.Model
import dev.gradus.engine.optim.GradientTransform
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.Device
import dev.gradus.engine.train.Phase
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StoppingRule
import dev.gradus.engine.train.Trainer
import dev.gradus.engine.train.TrainingConfig
import dev.gradus.engine.train.TrainingListener
import dev.gradus.engine.train.TrainingResult
import java.nio.file.InvalidPathException
import java.nio.file.Path

/**
 * A validated dense layer with its names resolved to engine objects. A null [biasInit] means
 * biases from the training labels' class frequencies, known only once the data is loaded.
 */
internal data class DenseRecipe(
    val units: Int,
    val activation: Activation,
    val weightInit: Initializer,
    val biasInit: Initializer?,
)

/**
 * A validated spec with its names resolved ([dtype], [device], activations, initializers): the
 * recipe of the engine objects. [run] builds them (data, model, optimizer, backend), trains and
 * returns the metrics; the parts are also available one by one ([loadData], [buildModel],
 * [buildOptimizer] or [buildPhases], [trainingConfig]) for hosts that drive the engine themselves.
 *
 * Reproducibility: everything random comes from `RandomStreams(spec.seed)`: shapes from the
 * `data` stream, parameters from `init`, minibatch order from `data-order`, the validation
 * hold-out from `validation-split`, gradient noise from `gradient-noise` (see [OptimizerCompiler]).
 *
 * Model layout: spec layer `model.layers[i]` (a dense layer with its activation) becomes engine
 * layer i, a [Dense] with the activation fused in, so parameter paths `layers.i.weight` name the
 * i-th declared layer.
 */
class CompiledExperiment internal constructor(
    val spec: ExperimentSpec,
    val dtype: DType,
    val device: Device,
    /** Features per example the data set will have (Shapeset imageSize², Fashion-MNIST 784). */
    val inputSize: Long,
    /** Classes of the data set (Shapeset 3, Fashion-MNIST 10). */
    val numClasses: Int,
    private val layers: List<DenseRecipe>,
) {
    /** Loads or generates the train/test split, as [run] does (same seed, same examples). */
    fun loadData(): Split = loadData(RandomStreams(spec.seed))

    private fun loadData(streams: RandomStreams): Split = when (val d = spec.data) {
        is ShapesetSpec -> Shapeset.generate(shapesetConfig(d), streams.stream(RandomStreams.DATA))
        is FashionMnistSpec -> loadFashionMnist(d)
    }

    private fun shapesetConfig(d: ShapesetSpec) = ShapesetConfig(
        Shapeset.Family.valueOf(d.family.uppercase()),
        d.imageSize,
        d.train,
        d.test,
        d.minSize,
        d.maxSize,
        d.rotate,
        d.inversionProbability,
        d.greyLevels,
    )

    private fun loadFashionMnist(d: FashionMnistSpec): Split {
        val where = "experiment '${spec.name}', data (fashion-mnist)"
        val dir = try {
            d.dir?.let { Path.of(it) }
        } catch (e: InvalidPathException) {
            throw DataException("$where: data.dir '${d.dir}' is not a valid path: ${e.message}", e)
        }
        val all = try {
            FashionMnist.load(dir)
        } catch (e: DataException) {
            throw DataException("$where: ${e.message}", e)
        }
        fun limit(set: Dataset, n: Int?, field: String): Dataset = when {
            n == null -> set
            n > set.size() -> throw DataException(
                "$where: data.$field is $n but ${set.name()} holds only ${set.size()} examples (${FashionMnist.resolveDir(dir)})",
            )
            else -> set.head(n)
        }
        return Split(limit(all.train(), d.trainLimit, "trainLimit"), limit(all.test(), d.testLimit, "testLimit"))
    }

    /**
     * The model for [inputSize] inputs, with fresh layer objects (parameters are made by the
     * trainer). [trainLabels] are needed when an output bias is `classFrequencies()`.
     */
    @JvmOverloads
    fun buildModel(inputSize: Int = Math.toIntExact(this.inputSize), trainLabels: IntArray? = null): Model {
        val built = ArrayList<Layer>()
        var size = inputSize
        for (l in layers) {
            val bias = l.biasInit ?: ClassFrequencyBias.fromLabels(
                trainLabels ?: throw IllegalStateException(
                    "experiment '${spec.name}': class-frequency biases need the training labels (buildModel(inputSize, labels), or run())",
                ),
                numClasses,
            )
            built += Dense(size, l.units, true, l.weightInit, bias, l.activation)
            size = l.units
        }
        return Model(inputSize, built)
    }

    /** Whether the optimizer is a [PipelineSpec] (then use [buildPhases]; [buildOptimizer] refuses). */
    val isPipeline: Boolean get() = spec.optimizer is PipelineSpec

    /** Names of the phases [run] trains, in order ("main" for a non-pipeline optimizer). */
    val phaseNames: List<String>
        get() = (spec.optimizer as? PipelineSpec)?.phases?.map { it.name } ?: listOf(MAIN_PHASE)

    /**
     * The optimizer of a non-pipeline spec, with fresh state-holding parts (reduce-on-plateau
     * schedules); for a pipeline, throws [IllegalStateException] (see [buildPhases]).
     */
    fun buildOptimizer(): GradientTransform {
        check(!isPipeline) { "experiment '${spec.name}': the optimizer is a pipeline of ${phaseNames.size} phases; use buildPhases()" }
        return OptimizerCompiler(spec.seed).transform(spec.optimizer, "optimizer", stepsPerEpoch(0))
    }

    /**
     * The phases [run] trains, built fresh (stateful schedules and stopping rules are per run):
     * a pipeline's phases, or for any other optimizer one phase "main" of `train.epochs` epochs.
     * A phase's batch size is its own schedule, else `train.batchSizeSchedule`, else (null)
     * `train.batchSize`.
     */
    fun buildPhases(): List<Phase> {
        val c = OptimizerCompiler(spec.seed)
        val o = spec.optimizer
        if (o !is PipelineSpec) {
            return listOf(
                Phase(
                    MAIN_PHASE,
                    c.transform(o, "optimizer", stepsPerEpoch(0)),
                    StoppingRule.epochs(spec.train.epochs),
                    false,
                    spec.train.batchSizeSchedule?.let { c.schedule(it, null) },
                ),
            )
        }
        return o.phases.mapIndexed { i, p ->
            Phase(
                p.name,
                c.transform(p.optimizer, "optimizer.phases[$i].optimizer", stepsPerEpoch(i)),
                c.stop(p.until),
                p.carryState,
                (p.batchSize ?: spec.train.batchSizeSchedule)?.let { c.schedule(it, null) },
            )
        }
    }

    /**
     * Optimizer steps per epoch of phase [phase] (0 for a non-pipeline optimizer): the training
     * examples left after the validation hold-out, in batches of the phase's batch size; null
     * when that batch size is a non-constant schedule. This is what per-epoch schedules count.
     */
    @JvmOverloads
    fun stepsPerEpoch(phase: Int = 0): Long? {
        val batch = ((spec.optimizer as? PipelineSpec)?.phases?.get(phase)?.batchSize ?: spec.train.batchSizeSchedule)
            .let { s ->
                when (s) {
                    null -> spec.train.batchSize.toLong()
                    is ConstantSchedule -> Math.round(s.value)
                    else -> return null
                }
            }
        val kept = trainExamples
        return (kept + minOf(batch, kept) - 1) / minOf(batch, kept)
    }

    /** Training examples left for training after the validation hold-out. */
    val trainExamples: Long
        get() {
            val n = SpecCompiler.dataFacts(spec.data).trainSize
            return n - SpecCompiler.heldOut(n, spec.train.validationFraction)
        }

    /** Stage "train", gradients checked for NaN/Inf at every step, the spec's validation hold-out and averaging. */
    fun trainingConfig(): TrainingConfig = spec.train.let {
        TrainingConfig(
            "train", it.epochs, it.batchSize, it.shuffle, it.evalBatchSize, dtype, true,
            it.validationFraction, it.evaluateAveraged,
        )
    }

    /**
     * Builds everything, trains and evaluates. Data is loaded (or generated) before the backend
     * is created, so a missing data file fails fast with a [DataException] naming it. The
     * backend is closed before returning.
     *
     * @param threads native threads of the backend (results are bit-identical only at a fixed count)
     * @param listeners receive every step, epoch and the end
     * @param backendOverride run on this backend instead of `spec.backend`; the returned spec then
     *   names the backend that actually ran
     */
    @JvmOverloads
    fun run(
        threads: Int = 1,
        listeners: List<TrainingListener> = emptyList(),
        backendOverride: String? = null,
    ): ExperimentResult {
        require(threads >= 1) { "threads must be >= 1, got $threads" }
        val backendName = backendOverride ?: spec.backend
        if (backendOverride != null && backendOverride !in Backends.available()) {
            throw IllegalArgumentException("unknown backend '$backendOverride'; available: ${Backends.available().keys.toList()}")
        }
        val streams = RandomStreams(spec.seed)
        val split = loadData(streams)
        val trainSize = split.train().size()
        if (spec.train.batchSize > trainSize) {
            throw InvalidSpecException(
                listOf(SpecProblem("train.batchSize", "${spec.train.batchSize} is larger than the training set ($trainSize examples)")),
                spec.name,
            )
        }
        val model = buildModel(split.train().featureCount(), split.train().labels())
        Backends.create(backendName, device, threads).use { backend ->
            val trainer = Trainer(backend, model, buildPhases(), trainingConfig(), streams)
            listeners.forEach { trainer.addListener(it) }
            trainer.initialize().use { params ->
                val count = params.count()
                val scales = spec.model.dataDriven?.let { d ->
                    val train = split.train()
                    if (d.batchSize > train.size()) {
                        throw InvalidSpecException(
                            listOf(SpecProblem("model.dataDriven.batchSize", "${d.batchSize} is larger than the training set (${train.size()} examples)")),
                            spec.name,
                        )
                    }
                    dataDrivenScaling(d).apply(backend, model, params, train.head(d.batchSize).features(), d.batchSize).layers()
                } ?: emptyList()
                val result = trainer.fit(params, split.train(), split.test())
                return ExperimentResult(spec.copy(backend = backendName), result, backend.description(), count, scales)
            }
        }
    }

    /**
     * The engine procedure for `model.dataDriven` (null when the spec has none). [run] applies it
     * after initialization and before training, on the first `batchSize` examples of the training
     * split (deterministic; the validation hold-out is taken later by the trainer, so these may
     * include held-out examples — only their features are used, never labels).
     */
    fun dataDrivenScaling(): DataDrivenScaling? = spec.model.dataDriven?.let { dataDrivenScaling(it) }

    private fun dataDrivenScaling(d: DataDrivenSpec) = DataDrivenScaling(
        DataDrivenScaling.Config(d.targetStd, d.tolerance, d.maxIterations, DataDrivenScaling.Measure.parse(d.measure)),
    )

    override fun toString(): String = "CompiledExperiment(${spec.name}: ${layers.size} layers)"

    companion object {
        /** The name of the single phase of a non-pipeline optimizer (as the engine's single-phase trainer names it). */
        const val MAIN_PHASE = "main"
    }
}

/** What [CompiledExperiment.run] measured. */
data class ExperimentResult @JvmOverloads constructor(
    /** The spec that ran (with the backend actually used). */
    val spec: ExperimentSpec,
    val result: TrainingResult,
    /** The backend's own description (library versions, device, threads) for run records. */
    val backendDescription: String,
    /** Number of scalar parameters of the model. */
    val parameterCount: Long,
    /** Per dense layer, what `model.dataDriven` scaling did (empty when the spec has none). */
    val dataDrivenScales: List<DataDrivenScaling.LayerScale> = emptyList(),
) {
    /** Test accuracy after the last epoch. */
    val finalTestAccuracy: Double get() = result.last().testAccuracy()

    /** How each optimizer phase went (one, "main", for a non-pipeline optimizer). */
    val phases: List<PhaseResult> get() = result.phases()
}
