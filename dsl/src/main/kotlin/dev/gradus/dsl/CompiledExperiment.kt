package dev.gradus.dsl

import dev.gradus.curricula.BabySteps
import dev.gradus.curricula.CurriculumRegistry
import dev.gradus.curricula.Difficulties
import dev.gradus.curricula.Paced
import dev.gradus.curricula.ReplayBuffer
import dev.gradus.curricula.Reweighting
import dev.gradus.curricula.SelfPaced
import dev.gradus.curricula.StochasticMixing
import dev.gradus.curricula.SwitchAt
import dev.gradus.curricula.TeacherStudent
import dev.gradus.engine.checkpoint.Checkpoint
import dev.gradus.engine.checkpoint.CheckpointSink
import dev.gradus.engine.checkpoint.CheckpointStore
import dev.gradus.engine.continuation.Continuation
import dev.gradus.engine.curriculum.Curriculum
import dev.gradus.engine.curriculum.Difficulty
import dev.gradus.engine.tensor.Backend

import dev.gradus.engine.data.DataException
import dev.gradus.engine.data.Dataset
import dev.gradus.engine.data.FashionMnist
import dev.gradus.engine.data.Shapeset
import dev.gradus.engine.data.ShapesetConfig
import dev.gradus.engine.data.Split
import dev.gradus.engine.curvature.CurvatureSnapshot
import dev.gradus.engine.curvature.IllConditioningMonitor
import dev.gradus.engine.diagnostics.DiagnosticsMonitor
import dev.gradus.engine.diagnostics.DiagnosticsSnapshot
import dev.gradus.engine.init.ClassFrequencyBias
import dev.gradus.engine.init.DataDrivenScaling
import dev.gradus.engine.init.Constant
import dev.gradus.engine.init.Initializer
import dev.gradus.engine.init.Initializers
import dev.gradus.engine.nn.Activation
import dev.gradus.engine.nn.AuxiliaryHead
import dev.gradus.engine.nn.Dense
import dev.gradus.engine.nn.Layer
import dev.gradus.engine.nn.LayerMapping
import dev.gradus.engine.nn.Model
import dev.gradus.engine.nn.ParameterSet
import dev.gradus.engine.nn.ParameterSnapshot
import dev.gradus.engine.nn.WithModelInput
import dev.gradus.engine.optim.GradientTransform
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.Device
import dev.gradus.engine.train.GreedyLayerwise
import dev.gradus.engine.train.Phase
import dev.gradus.engine.train.Stage
import dev.gradus.engine.train.StagedTraining
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StoppingRule
import dev.gradus.engine.train.Trainer
import dev.gradus.engine.train.Loss
import dev.gradus.engine.train.TrainingConfig
import dev.gradus.engine.train.TrainingListener
import dev.gradus.engine.train.TrainingResult
import java.nio.file.InvalidPathException
import java.nio.file.Path
import java.util.function.Consumer

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
    private val layers: List<LayerRecipe>,
) {
    /** Loads or generates the train/test split, as [run] does (same seed, same examples). */
    fun loadData(): Split = loadData(RandomStreams(spec.seed))

    private fun loadData(streams: RandomStreams): Split = loadData(spec.data, streams)

    private fun loadData(data: DataSpec, streams: RandomStreams): Split = when (data) {
        is ShapesetSpec -> Shapeset.generate(shapesetConfig(data), streams.stream(RandomStreams.DATA))
        is FashionMnistSpec -> loadFashionMnist(data)
        is ConcatDataSpec -> {
            // parts are generated in order from the same data stream, so the whole is a function of the seed
            val parts = data.parts.map { loadData(it, streams) }
            val testFrom = if (data.testFrom == -1) parts.lastIndex else data.testFrom
            Split(Dataset.concat(spec.name, parts.map { it.train() }), parts[testFrom].test())
        }
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
        val hidden = buildLayers(inputSize, trainLabels)
        return Model(inputSize, hidden, buildHeads(inputSize, hidden))
    }

    /** The engine layers in order, for [inputSize] inputs. */
    private fun buildLayers(inputSize: Int, trainLabels: IntArray?): List<Layer> {
        val outputBias = {
            ClassFrequencyBias.fromLabels(
                trainLabels ?: throw IllegalStateException(
                    "experiment '${spec.name}': class-frequency biases need the training labels (buildModel(inputSize, labels), or run())",
                ),
                numClasses,
            ).forOutput(loss.output())
        }
        val concat = (spec.pretrain as? GreedyLayerwiseSpec)?.concatInput == true
        var size = inputSize
        return layers.mapIndexed { i, r ->
            // Yu et al. 2010: hidden layers after the first also see the raw input
            val wrap = concat && i in 1 until layers.lastIndex
            val layer = r.build(if (wrap) size + inputSize else size, outputBias)
            size = r.outputSize(size)
            if (wrap) WithModelInput(layer, inputSize) else layer
        }
    }

    /** One linear output layer per `model.heads` entry, on the width of the layer it follows. */
    private fun buildHeads(inputSize: Int, layers: List<Layer>): List<AuxiliaryHead> = spec.model.heads.map { h ->
        val width = layers[h.after].outputSize()
        val init = Initializers.byName(h.weightInit.name, h.weightInit.args, Activation.IDENTITY, width, numClasses)
        AuxiliaryHead(h.after, listOf(Dense(width, numClasses, true, init, Constant.ZEROS)), h.weight)
    }

    /** Whether the optimizer is a [PipelineSpec] (then use [buildPhases]; [buildOptimizer] refuses, as for a [BatchMethodSpec]). */
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
        check(spec.optimizer !is BatchMethodSpec) {
            "experiment '${spec.name}': the optimizer is a batch method (${OptimizerChecks.kind(spec.optimizer)}), not a gradient transform; use buildPhases()"
        }
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
        if (o is BatchMethodSpec) {
            // a batch method as the whole optimizer: full batch, train.epochs method steps
            return listOf(Phase.ofBatchMethod(MAIN_PHASE, c.batchMethod(o, "optimizer"), StoppingRule.epochs(spec.train.epochs)))
        }
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
            val bm = p.optimizer as? BatchMethodSpec
            // a batch-method phase is full-batch unless the phase itself sets a batch size (then minibatches, with a warning)
            if (bm != null) return@mapIndexed Phase.ofBatchMethod(p.name, c.batchMethod(bm, "optimizer.phases[$i].optimizer"), c.stop(p.until))
                .let { ph -> p.batchSize?.let { ph.withBatchSize(c.schedule(it, null)) } ?: ph }
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
            it.validationFraction, it.evaluateAveraged, loss,
        )
    }

    /** The engine's loss for the spec's. */
    val loss: Loss get() = Loss.byId(spec.train.loss.id)

    /**
     * Builds everything, trains and evaluates. Data is loaded (or generated) before the backend
     * is created, so a missing data file fails fast with a [DataException] naming it. The
     * backend is closed before returning.
     *
     * @param threads native threads of the backend (results are bit-identical only at a fixed count)
     * @param listeners receive every step, epoch and the end
     * @param backendOverride run on this backend instead of `spec.backend`; the returned spec then
     *   names the backend that actually ran
     * @param onDiagnostics receives each signal-propagation snapshot as it is measured, when the
     *   spec sets `train.diagnostics` (the result also holds them all)
     * @param checkpoints receives checkpoints (see [checkpointStore]); null: none are taken
     * @param resumeFrom continue from this checkpoint of an earlier run of the same spec: the result
     *   is bit-identical to an uninterrupted run's. Stages before it are not run again, and the
     *   stage it was taken in skips its initialization (transfers, data-driven scaling: the
     *   result's scales and gradient checks are then empty); listeners hear only later epochs.
     */
    @JvmOverloads
    fun run(
        threads: Int = 1,
        listeners: List<TrainingListener> = emptyList(),
        backendOverride: String? = null,
        onDiagnostics: Consumer<DiagnosticsSnapshot>? = null,
        onCurvature: Consumer<CurvatureSnapshot>? = null,
        checkpoints: CheckpointSink? = null,
        resumeFrom: Checkpoint? = null,
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
            val main = Stage(MAIN_STAGE, model, buildPhases(), trainedPatterns(model), LayerMapping.identity(), trainingConfig())
            val stages = pretrainStages(split.train().featureCount(), split.train().labels()) + main
            val staged = StagedTraining(backend, stages, streams)
            listeners.forEach { staged.addListener(it) }
            var scales: List<DataDrivenScaling.LayerScale> = emptyList()
            var gradients: List<DataDrivenScaling.LayerGradient> = emptyList()
            var monitor: DiagnosticsMonitor? = null
            var curvatureMonitor: IllConditioningMonitor? = null
            val teachers = mutableListOf<ParameterSet>()
            staged.configureTrainer { stage, trainer ->
                if (stage === main) {
                    spec.curriculum?.let { trainer.withCurriculum(buildCurriculum(it, backend, split.train().labels(), teachers)) }
                    spec.continuation?.let { trainer.withContinuation(buildContinuation(it)) }
                }
            }
            staged.onInitialized { stage, params ->
                if (stage !== main) return@onInitialized
                transferInto(params)
                spec.model.dataDriven?.let { d ->
                    val train = split.train()
                    if (d.batchSize > train.size()) {
                        throw InvalidSpecException(
                            listOf(SpecProblem("model.dataDriven.batchSize", "${d.batchSize} is larger than the training set (${train.size()} examples)")),
                            spec.name,
                        )
                    }
                    scales = dataDrivenScaling(d).apply(backend, model, params, train.head(d.batchSize).features(), d.batchSize).layers()
                    if (d.checkGradients) {
                        val probe = train.head(d.batchSize)
                        gradients = DataDrivenScaling.checkGradients(backend, model, params, probe.features(), probe.labels(), loss, d.gradientTolerance)
                    }
                }
            }
            staged.forStage { stage, params ->
                val d = spec.train.diagnostics
                val cv = spec.train.curvature
                if (stage !== main || (d == null && cv == null)) return@forStage emptyList()
                // the probe batch: the first examples of what the trainer trains on (after the validation hold-out)
                val kept = Trainer(backend, model, stage.phases(), stage.config(), streams).holdOutValidation(split.train()).train()
                val curvatureListeners = if (cv == null) emptyList() else {
                    if (cv.batchSize > kept.size()) {
                        throw InvalidSpecException(
                            listOf(SpecProblem("train.curvature.batchSize", "${cv.batchSize} is larger than the training set (${kept.size()} examples)")),
                            spec.name,
                        )
                    }
                    val probe = kept.head(cv.batchSize)
                    val lr = OptimizerCompiler.firstLearningRate(spec.optimizer)
                    val m = IllConditioningMonitor(backend, model, params, probe.features(), probe.labels(), loss, cv.everyEpochs, cv.everySteps, lr,
                        onCurvature)
                    curvatureMonitor = m
                    listOf(m)
                }
                if (d == null) return@forStage curvatureListeners
                if (d.batchSize > kept.size()) {
                    throw InvalidSpecException(
                        listOf(SpecProblem("train.diagnostics.batchSize", "${d.batchSize} is larger than the training set (${kept.size()} examples)")),
                        spec.name,
                    )
                }
                val probe = kept.head(d.batchSize)
                val m = DiagnosticsMonitor(backend, model, params, probe.features(), probe.labels(), d.jacobianExamples, d.everyEpochs, loss, onDiagnostics)
                monitor = m
                listOf(m) + curvatureListeners
            }
            val outcome = try {
                staged.run(split.train(), split.test(), checkpoints, resumeFrom)
            } finally {
                teachers.forEach { it.close() }
            }
            outcome.parameters().use { params ->
                return ExperimentResult(
                    spec.copy(backend = backendName), outcome.stages().last().result(), backend.description(), params.count(), scales,
                    initGradients = gradients,
                    diagnostics = monitor?.snapshots().orEmpty(),
                    curvature = curvatureMonitor?.snapshots().orEmpty(),
                    stages = outcome.stages(),
                    parameters = ParameterSnapshot.of(params),
                )
            }
        }
    }

    /**
     * The checkpoint store `train.checkpoints` asks for, in [dir]; null when the spec turns
     * checkpoints off. "Best" is judged by the spec's metric, else the validation loss when a
     * validation split is held out, else the training loss.
     */
    fun checkpointStore(dir: Path): CheckpointStore? {
        val c = spec.train.checkpoints
        if (!c.enabled) return null
        val metric = c.metric ?: if (spec.train.validationFraction > 0) "validation.loss" else "train.loss"
        return CheckpointStore(dir, c.everyEpochs, c.keepLast, c.keepBest, metric)
    }

    /** The engine curriculum for [c]; a teacher's parameters are added to [teachers] (the caller closes them). */
    private fun buildCurriculum(c: CurriculumSpec, backend: Backend, trainLabels: IntArray, teachers: MutableList<ParameterSet>): Curriculum {
        val compiler = OptimizerCompiler(spec.seed)
        val pacing = c.pacing?.let { compiler.schedule(it, null) }
        val difficulty = c.difficulty?.let { d ->
            when (d) {
                is MetadataDifficulty -> Difficulties.metadata(d.key)
                is RandomDifficulty -> Difficulties.random(d.seed)
                is TeacherDifficulty -> teacherDifficulty(d, backend, trainLabels, teachers)
            }
        }
        return when (val s = c.sampling) {
            is PacedSampling -> Paced(difficulty, pacing, Paced.Order.valueOf(s.order.uppercase().replace('-', '_')))
            is BabyStepsSampling -> BabySteps(difficulty, s.buckets, s.epochsPerBucket)
            is SwitchSampling -> SwitchAt(difficulty, s.epoch)
            is StochasticMixingSampling -> StochasticMixing(difficulty, pacing, StochasticMixing.Mode.valueOf(s.mode.uppercase()), s.epochSize)
            is ReweightingSampling -> Reweighting(difficulty, pacing, s.hardWeight)
            is SelfPacedSampling -> SelfPaced(compiler.schedule(s.lambda, null))
            is TeacherStudentSampling -> TeacherStudent(difficulty, s.window, s.epsilon, s.epochSize)
            is ReplaySampling -> ReplayBuffer(difficulty, s.epochsPerChunk, s.replayShare)
            is CustomSampling -> CurriculumRegistry.shared().create(s.name, s.args)
        }
    }

    /** A recorded run's model, rebuilt from its own spec with its final parameters, scoring each example. */
    private fun teacherDifficulty(d: TeacherDifficulty, backend: Backend, trainLabels: IntArray, teachers: MutableList<ParameterSet>): Difficulty {
        val file = Transfers.parameterFile(d.run)
        fun fail(message: String): Nothing = throw InvalidSpecException(listOf(SpecProblem("curriculum.difficulty.run", message)), spec.name)
        val specFile = file.resolveSibling("spec.json")
        if (!java.nio.file.Files.isRegularFile(specFile)) fail("no recorded run at ${d.run} (looked for $specFile)")
        val teacher = try {
            SpecCompiler.compile(SpecJson.decode(java.nio.file.Files.readString(specFile)))
        } catch (e: RuntimeException) {
            fail("the teacher's spec $specFile does not compile: ${e.message}")
        }
        val snapshot = try {
            ParameterSnapshot.read(file)
        } catch (e: java.io.IOException) {
            fail(e.message ?: "cannot read $file")
        }
        val model = teacher.buildModel(Math.toIntExact(inputSize), trainLabels)
        val params = model.initialize(backend, teacher.dtype, RandomStreams(teacher.spec.seed).stream(RandomStreams.INIT))
        teachers += params
        try {
            params.copyFrom(snapshot, LayerMapping.identity())
        } catch (e: IllegalArgumentException) {
            fail("the teacher's parameters $file do not fit its spec: ${e.message}")
        }
        return if (d.measure == "margin") Difficulties.teacherMargins(backend, model, params) else Difficulties.teacherLosses(backend, model, params, teacher.loss)
    }

    /** The engine continuation for [c], its schedules read by epoch. */
    private fun buildContinuation(c: ContinuationSpec): Continuation {
        val compiler = OptimizerCompiler(spec.seed)
        fun s(x: ScheduleSpec?) = x?.let { compiler.schedule(it, null) }
        return Continuation(s(c.gaussianSigma), c.samples, s(c.labelSmoothing), s(c.temperature), s(c.parameterNoise))
    }

    /** The patterns the main stage trains: every layer's parameters but those of transfers with `freeze` (empty: all). */
    private fun trainedPatterns(model: Model): List<String> {
        val frozen = spec.model.transfers.filter { it.freeze }.flatMap { t -> (t.toLayer until t.toLayer + t.count).toList() }.toSet()
        if (frozen.isEmpty()) return emptyList()
        val trained = model.layers().indices.filter { it !in frozen && model.layers()[it].parameters().any { d -> !d.buffer() } }
            .map { "${Model.layerPath(it)}.**" }
        return trained + (if (model.heads().isEmpty()) emptyList() else listOf("heads.**"))
    }

    /** Copies the layers `model.transfers` names from recorded runs into [params]. */
    private fun transferInto(params: ParameterSet) {
        spec.model.transfers.forEachIndexed { k, t ->
            val file = Transfers.parameterFile(t.run)
            val snapshot = try {
                ParameterSnapshot.read(file)
            } catch (e: java.io.IOException) {
                throw InvalidSpecException(listOf(SpecProblem("model.transfers[$k].run", e.message ?: "cannot read $file")), spec.name)
            }
            try {
                params.copyFrom(snapshot, LayerMapping.layers(t.fromLayer, t.count, t.toLayer))
            } catch (e: IllegalArgumentException) {
                throw InvalidSpecException(listOf(SpecProblem("model.transfers[$k]", "from $file: ${e.message}")), spec.name)
            }
        }
    }

    /** The stages of `pretrain` (none without it), for a data set of [inputSize] features. */
    private fun pretrainStages(inputSize: Int, trainLabels: IntArray): List<Stage> {
        val g = spec.pretrain as? GreedyLayerwiseSpec ?: return emptyList()
        val built = buildLayers(inputSize, trainLabels)
        val hidden = built.dropLast(1).map { if (it is WithModelInput) it.inner() else it }
        val outputRecipe = layers.last()
        val outputBias = { ClassFrequencyBias.fromLabels(trainLabels, numClasses).forOutput(loss.output()) }
        val optimizer = g.optimizer ?: spec.optimizer
        val compiler = OptimizerCompiler(spec.seed)
        return GreedyLayerwise.stages(
            inputSize, hidden, { w -> outputRecipe.build(w, outputBias) },
            { listOf(Phase.of(MAIN_PHASE, compiler.transform(optimizer, "pretrain.optimizer", stepsPerEpoch(0)), StoppingRule.epochs(g.epochsPerLayer))) },
            if (g.lowerLayers == "frozen") GreedyLayerwise.LowerLayers.FROZEN else GreedyLayerwise.LowerLayers.FINE_TUNED,
            g.jointAfterEachStage, g.concatInput, trainingConfig(),
        )
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

        /** The name of the main training stage (after any pre-training stages). */
        const val MAIN_STAGE = "train"
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
    /** Per dense layer, the gradient check after data-driven scaling (empty unless `checkGradients`). */
    val initGradients: List<DataDrivenScaling.LayerGradient> = emptyList(),
    /** Every stage in order: pre-training stages, then "train" (the only one without `pretrain`). */
    val stages: List<StagedTraining.StageResult> = emptyList(),
    /** The final parameters and buffers (what a run record keeps as `parameters.bin`). */
    val parameters: ParameterSnapshot? = null,
    /** The signal-propagation snapshots of `train.diagnostics`, in order (empty when the spec has none). */
    val diagnostics: List<DiagnosticsSnapshot> = emptyList(),
    /** The ill-conditioning snapshots of `train.curvature`, in order (empty when the spec has none). */
    val curvature: List<CurvatureSnapshot> = emptyList(),
) {
    /** Test accuracy after the last epoch. */
    val finalTestAccuracy: Double get() = result.last().testAccuracy()

    /** How each optimizer phase went (one, "main", for a non-pipeline optimizer). */
    val phases: List<PhaseResult> get() = result.phases()
}
