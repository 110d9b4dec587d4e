package dev.gradus.dsl

import dev.gradus.engine.data.FashionMnist
import dev.gradus.engine.data.Shapeset
import dev.gradus.engine.init.DataDrivenScaling
import dev.gradus.engine.init.Initializer
import dev.gradus.engine.init.Initializers
import dev.gradus.engine.nn.Activation
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.Device

/**
 * Checks a whole spec and turns it into a [CompiledExperiment]. [validate] collects every
 * problem at once, each with its path in the spec, without loading data, creating a backend or
 * touching the file system; [compile] throws [InvalidSpecException] listing all of them, so a
 * user fixes a spec in one round instead of one error per run.
 */
object SpecCompiler {
    /** Characters allowed in experiment names, which become directory names in the run store. */
    val NAME_PATTERN = Regex("[A-Za-z0-9._-]+")
    const val MAX_NAME_LENGTH = 128

    /** Metrics a checkpoint's "best" can be judged by (decision metrics only: never the test split). */
    val CHECKPOINT_METRICS = listOf("train.loss", "validation.loss", "validation.accuracy")

    /** Initializers that only make sense for a weight matrix (rows are units). */
    val MATRIX_INITIALIZERS = setOf("orthogonal", "identity", "sparse")

    /** Spec dtype names and the engine types they select. */
    val DTYPES: Map<String, DType> = linkedMapOf("float32" to DType.FLOAT32, "float64" to DType.FLOAT64)

    /** Fashion-MNIST's fixed sizes and shape. */
    const val FASHION_MNIST_TRAIN = 60_000
    const val FASHION_MNIST_TEST = 10_000

    /** Largest array the engine allocates (a Java array's practical limit). */
    private const val MAX_ARRAY = Int.MAX_VALUE - 8

    private val ACTIVATIONS: Map<String, Activation> = Activation.values().associateBy { it.id() }
    private val FAMILIES: Map<String, Shapeset.Family> = Shapeset.Family.values().associateBy { it.id }

    /** Every problem of [spec]; empty when it can be compiled. */
    @JvmStatic
    fun validate(spec: ExperimentSpec): List<SpecProblem> = Validation(spec).run()

    /**
     * [spec] resolved into engine objects' recipes, ready to [CompiledExperiment.run]. Throws
     * [InvalidSpecException] listing every problem [validate] finds.
     */
    @JvmStatic
    fun compile(spec: ExperimentSpec): CompiledExperiment {
        val problems = validate(spec)
        if (problems.isNotEmpty()) throw InvalidSpecException(problems, spec.name.takeIf { it.isNotEmpty() })
        val facts = dataFacts(spec.data)
        return CompiledExperiment(
            spec = spec,
            dtype = DTYPES.getValue(spec.dtype),
            device = Device.parse(spec.device),
            inputSize = facts.inputSize,
            numClasses = facts.classes,
            layers = LayerRecipes.of(spec.model.layers, Math.toIntExact(facts.inputSize)),
        )
    }

    /** [json] decoded ([SpecJson.decode]) and compiled. */
    @JvmStatic
    fun compileJson(json: String): CompiledExperiment = compile(SpecJson.decode(json))

    /** Examples the engine's trainer holds out for validation from [trainSize] with [fraction] (as `Trainer.holdOutValidation`). */
    internal fun heldOut(trainSize: Long, fraction: Double): Long = if (fraction == 0.0) 0 else Math.round(fraction * trainSize)

    /**
     * The parameter paths of the model built from [model] (`layers.i.weight`, `layers.3.body.0.bias`,
     * `heads.0.0.weight`), from the engine layers themselves; null when the model does not build
     * (its own problems are reported at their paths).
     */
    internal fun parameterPaths(model: ModelSpec, inputs: Long, classes: Int): List<String>? = try {
        val width = Math.toIntExact(inputs)
        var w = width
        val layers = LayerRecipes.of(model.layers, width).map { r ->
            r.build(w) { dev.gradus.engine.init.Constant.ZEROS }.also { w = r.outputSize(w) }
        }
        val paths = layers.flatMapIndexed { i, l -> l.parameters().filter { !it.buffer() }.map { "layers.$i.${it.name()}" } }
        paths + model.heads.indices.flatMap { listOf("heads.$it.0.weight", "heads.$it.0.bias") }
    } catch (e: RuntimeException) {
        null
    }

    /** What the spec implies about its data set, without loading it. */
    internal data class DataFacts(val kind: String, val classes: Int, val inputSize: Long, val trainSize: Long)

    internal fun dataFacts(data: DataSpec): DataFacts = when (data) {
        is ShapesetSpec -> DataFacts("shapeset", 3, data.imageSize.toLong() * data.imageSize, data.train.toLong())
        is ConcatDataSpec -> data.parts.map { dataFacts(it) }.let { parts ->
            if (parts.isEmpty()) DataFacts("concat", 1, 0, 0)
            else DataFacts("concat", parts[0].classes, parts[0].inputSize, parts.sumOf { it.trainSize })
        }
        is FashionMnistSpec -> DataFacts(
            "fashion-mnist",
            FashionMnist.CLASS_NAMES.size,
            FashionMnist.SIDE.toLong() * FashionMnist.SIDE,
            (data.trainLimit ?: FASHION_MNIST_TRAIN).toLong(),
        )
    }

    private class Validation(private val spec: ExperimentSpec) {
        private val problems = mutableListOf<SpecProblem>()

        private fun problem(path: String, message: String) {
            problems += SpecProblem(path, message)
        }

        fun run(): List<SpecProblem> {
            checkHeader()
            checkData(spec.data)
            checkModel()
            checkOptimizer(spec.optimizer)
            checkTrain()
            spec.curriculum?.let { checkCurriculum(it) }
            spec.continuation?.let { checkContinuation(it) }
            return problems.toList()
        }

        private fun checkHeader() {
            if (spec.version != ExperimentSpec.CURRENT_VERSION) {
                problem("version", "unsupported spec version ${spec.version} (this build reads version ${ExperimentSpec.CURRENT_VERSION})")
            }
            val name = spec.name
            when {
                name.isEmpty() -> problem("name", "must not be empty")
                name.length > MAX_NAME_LENGTH -> problem("name", "is ${name.length} characters long; at most $MAX_NAME_LENGTH")
                !NAME_PATTERN.matches(name) ->
                    problem("name", "'$name' is not usable as a directory name: use only letters, digits, '.', '_' and '-'")
                name == "." || name == ".." -> problem("name", "'$name' is not usable as a directory name")
            }
            if (spec.seed < 0) problem("seed", "must be >= 0, got ${spec.seed}")
            val backends = Backends.available().keys
            if (spec.backend !in backends) problem("backend", "unknown backend '${spec.backend}'; available: ${backends.toList()}")
            try {
                Device.parse(spec.device)
            } catch (e: IllegalArgumentException) {
                problem("device", e.message ?: "unknown device '${spec.device}'")
            }
            if (spec.dtype !in DTYPES) problem("dtype", "unknown dtype '${spec.dtype}' (known: ${DTYPES.keys.joinToString()})")
        }

        private fun checkData(data: DataSpec, p: String = "data") {
            when (data) {
                is ShapesetSpec -> checkShapeset(data, p)
                is FashionMnistSpec -> checkFashionMnist(data, p)
                is ConcatDataSpec -> {
                    if (data.parts.isEmpty()) problem("$p.parts", "needs at least one data set")
                    data.parts.forEachIndexed { i, part -> checkData(part, "$p.parts[$i]") }
                    val facts = data.parts.map { dataFacts(it) }
                    facts.forEachIndexed { i, f ->
                        if (f.inputSize != facts[0].inputSize || f.classes != facts[0].classes) {
                            problem("$p.parts[$i]", "has ${f.inputSize} features and ${f.classes} classes, part 0 has ${facts[0].inputSize} and ${facts[0].classes}; parts must agree")
                        }
                    }
                    if (data.parts.isNotEmpty() && data.testFrom != -1 && data.testFrom !in data.parts.indices) {
                        problem("$p.testFrom", "must name a part, 0..${data.parts.lastIndex} (or -1 for the last), got ${data.testFrom}")
                    }
                }
            }
        }

        private fun checkShapeset(d: ShapesetSpec, p: String) {
            if (d.family !in FAMILIES) {
                problem("$p.family", "unknown shapeset family '${d.family}' (known: ${FAMILIES.keys.joinToString()})")
            }
            if (d.train <= 0) problem("$p.train", "must be > 0, got ${d.train}")
            if (d.test <= 0) problem("$p.test", "must be > 0, got ${d.test}")
            val sizeOk = d.imageSize in 4..4096
            if (!sizeOk) problem("$p.imageSize", "must be in 4..4096 pixels, got ${d.imageSize}")
            val minOk = d.minSize > 0 && d.minSize <= 1
            val maxOk = d.maxSize > 0 && d.maxSize <= 1
            if (!minOk) problem("$p.minSize", "must be in (0, 1] (fraction of the image side), got ${d.minSize}")
            if (!maxOk) problem("$p.maxSize", "must be in (0, 1] (fraction of the image side), got ${d.maxSize}")
            if (minOk && maxOk && d.minSize > d.maxSize) {
                problem("$p.maxSize", "must be >= minSize (${d.minSize}), got ${d.maxSize}")
            }
            if (!(d.inversionProbability >= 0 && d.inversionProbability <= 1)) {
                problem("$p.inversionProbability", "must be in [0, 1], got ${d.inversionProbability}")
            }
            if (sizeOk) {
                val pixels = d.imageSize.toLong() * d.imageSize
                for ((field, n) in listOf("train" to d.train, "test" to d.test)) {
                    if (n > 0 && pixels * n > MAX_ARRAY) {
                        problem("$p.$field", "$n images of ${d.imageSize}x${d.imageSize} pixels exceed one array's capacity ($MAX_ARRAY values)")
                    }
                }
            }
        }

        private fun checkFashionMnist(d: FashionMnistSpec, p: String) {
            d.trainLimit?.let {
                if (it !in 1..FASHION_MNIST_TRAIN) problem("$p.trainLimit", "must be in 1..$FASHION_MNIST_TRAIN (or null for all), got $it")
            }
            d.testLimit?.let {
                if (it !in 1..FASHION_MNIST_TEST) problem("$p.testLimit", "must be in 1..$FASHION_MNIST_TEST (or null for all), got $it")
            }
            if (d.dir != null && d.dir.isBlank()) {
                problem("$p.dir", "must not be blank (null means \$${FashionMnist.ENV} or ${FashionMnist.DEFAULT_DIR})")
            }
        }

        private fun checkModel() {
            val layers = spec.model.layers
            if (layers.isEmpty()) {
                problem("model.layers", "a model needs at least one layer (end with output(classes = N))")
                return
            }
            val facts = dataFacts(spec.data)
            val widths = checkLayers("model.layers", layers, facts.inputSize, topLevel = true)
            val last = layers.last()
            if (last !is DenseSpec) {
                problem("model.layers[${layers.lastIndex}]", "the last layer gives the outputs and must be a dense layer (end with output(classes = N))")
            } else if (last.units > 0 && last.units < facts.classes) {
                problem(
                    "model.layers[${layers.lastIndex}].units",
                    "the output layer has ${last.units} units but the data set (${facts.kind}) has ${facts.classes} classes",
                )
            }
            spec.model.dataDriven?.let { checkDataDriven(it, facts.trainSize) }
            spec.model.heads.forEachIndexed { k, h ->
                val path = "model.heads[$k]"
                if (h.after !in 0 until layers.lastIndex) {
                    problem("$path.after", "must name an intermediate layer, 0..${layers.lastIndex - 1}, got ${h.after}")
                }
                if (!(h.weight >= 0) || !h.weight.isFinite()) problem("$path.weight", "must be >= 0 and finite, got ${h.weight}")
                checkInit("$path.weightInit", h.weightInit, Activation.IDENTITY, widths.getOrNull(h.after) ?: 0, facts.classes, isBias = false, isOutput = false)
            }
            spec.model.transfers.forEachIndexed { k, t ->
                val path = "model.transfers[$k]"
                if (t.run.isBlank()) problem("$path.run", "must name a run directory, a parameters.bin file or an experiment's runs folder")
                if (t.count < 1) problem("$path.count", "must be >= 1, got ${t.count}")
                if (t.fromLayer < 0) problem("$path.fromLayer", "must be >= 0, got ${t.fromLayer}")
                if (t.toLayer < 0 || t.toLayer + t.count > layers.size) {
                    problem("$path.toLayer", "layers ${t.toLayer}..${t.toLayer + t.count - 1} are not all in this model (layers 0..${layers.lastIndex})")
                }
            }
            spec.pretrain?.let { checkPretrain(it, layers) }
        }

        /** Checks [layers] at [path] on [inputs] inputs; returns each layer's output width (0 when unknown). */
        private fun checkLayers(path: String, layers: List<LayerSpec>, inputs: Long, topLevel: Boolean): List<Long> {
            var w = inputs
            return layers.mapIndexed { i, layer ->
                w = checkLayer("$path[$i]", layer, w, isOutput = topLevel && i == layers.lastIndex)
                w
            }
        }

        /** Checks one layer receiving [inputs] values (0 when unknown); returns its output width (0 when unknown). */
        private fun checkLayer(path: String, layer: LayerSpec, inputs: Long, isOutput: Boolean): Long = when (layer) {
            is DenseSpec -> {
                if (layer.units <= 0) {
                    problem("$path.units", "must be > 0, got ${layer.units}")
                } else if (inputs > 0 && inputs * layer.units > MAX_ARRAY) {
                    problem("$path.units", "${layer.units} units on $inputs inputs make ${inputs * layer.units} weights, more than one tensor holds ($MAX_ARRAY)")
                }
                val activation = checkActivation("$path.activation", layer.activation)
                checkInit("$path.weightInit", layer.weightInit, activation, inputs, layer.units, isBias = false, isOutput)
                checkInit("$path.biasInit", layer.biasInit, activation, inputs, layer.units, isBias = true, isOutput)
                if (layer.units > 0) layer.units.toLong() else 0
            }
            is BatchNormSpec -> {
                if (!(layer.momentum >= 0 && layer.momentum <= 1)) problem("$path.momentum", "must be in [0, 1], got ${layer.momentum}")
                if (!(layer.epsilon > 0) || !layer.epsilon.isFinite()) problem("$path.epsilon", "must be > 0 and finite, got ${layer.epsilon}")
                inputs
            }
            is DropoutSpec -> {
                if (!(layer.rate >= 0 && layer.rate < 1)) problem("$path.rate", "must be in [0, 1) (the drop probability), got ${layer.rate}")
                inputs
            }
            is ResidualSpec -> {
                if (layer.body.isEmpty()) problem("$path.body", "a residual block needs at least one layer")
                val out = checkLayers("$path.body", layer.body, inputs, topLevel = false).lastOrNull() ?: inputs
                checkActivation("$path.activation", layer.activation)
                if (layer.projection) {
                    checkInit("$path.projectionInit", layer.projectionInit, Activation.IDENTITY, inputs, out.toInt(), isBias = false, isOutput = false)
                } else if (inputs > 0 && out > 0 && out != inputs) {
                    problem("$path.projection", "the body turns $inputs values into $out, so the identity skip does not fit; set projection = true")
                }
                out
            }
            is HighwaySpec -> {
                val activation = checkActivation("$path.activation", layer.activation)
                checkInit("$path.weightInit", layer.weightInit, activation, inputs, inputs.toInt(), isBias = false, isOutput = false)
                checkInit("$path.gateBias", layer.gateBias, Activation.SIGMOID, inputs, inputs.toInt(), isBias = true, isOutput = false)
                inputs
            }
            is ElmanSpec -> {
                if (layer.stepFeatures <= 0) {
                    problem("$path.stepFeatures", "must be > 0, got ${layer.stepFeatures}")
                } else if (inputs > 0 && inputs % layer.stepFeatures != 0L) {
                    problem("$path.stepFeatures", "the layer receives $inputs values per example, not a multiple of ${layer.stepFeatures}")
                }
                if (layer.hidden <= 0) problem("$path.hidden", "must be > 0, got ${layer.hidden}")
                val h = layer.hidden.coerceAtLeast(1)
                checkInit("$path.inputInit", layer.inputInit, Activation.TANH, layer.stepFeatures.toLong(), h, isBias = false, isOutput = false)
                checkInit("$path.recurrentInit", layer.recurrentInit, Activation.TANH, h.toLong(), h, isBias = false, isOutput = false)
                checkInit("$path.biasInit", layer.biasInit, Activation.TANH, h.toLong(), h, isBias = true, isOutput = false)
                if (layer.hidden > 0) layer.hidden.toLong() else 0
            }
        }

        private fun checkActivation(path: String, id: String): Activation? {
            if (id !in ACTIVATIONS) problem(path, "unknown activation '$id' (known: ${ACTIVATIONS.keys.joinToString()})")
            return ACTIVATIONS[id]
        }

        private fun checkCurriculum(c: CurriculumSpec) {
            val p = "curriculum"
            val s = c.sampling
            val needsDifficulty = s !is SelfPacedSampling && s !is CustomSampling
            if (needsDifficulty && c.difficulty == null) problem("$p.difficulty", "is not set; ${samplingName(s)} ranks examples by difficulty (e.g. byMetadata(\"source\"))")
            if (!needsDifficulty && c.difficulty != null) problem("$p.difficulty", "is not used by ${samplingName(s)}")
            val needsPacing = s is PacedSampling || s is ReweightingSampling || s is StochasticMixingSampling
            if (needsPacing && c.pacing == null) problem("$p.pacing", "is not set; ${samplingName(s)} needs a pacing (e.g. linearPacing(from = 0.2, epochs = 10))")
            if (!needsPacing && c.pacing != null) problem("$p.pacing", "is not used by ${samplingName(s)}")
            c.pacing?.let { optimizerChecks.checkEpochSchedule(it, "$p.pacing", if (s is StochasticMixingSampling) Need.AT_LEAST_ONE else Need.FRACTION) }
            when (val d = c.difficulty) {
                is MetadataDifficulty -> if (d.key.isBlank()) problem("$p.difficulty.key", "must name a metadata field")
                is TeacherDifficulty -> {
                    if (d.run.isBlank()) problem("$p.difficulty.run", "must name a recorded run")
                    if (d.measure !in setOf("loss", "margin")) problem("$p.difficulty.measure", "must be \"loss\" or \"margin\", got \"${d.measure}\"")
                }
                is RandomDifficulty, null -> {}
            }
            val sp = "$p.sampling"
            when (s) {
                is PacedSampling -> if (s.order !in setOf("easy-first", "hard-first", "random")) {
                    problem("$sp.order", "must be \"easy-first\", \"hard-first\" or \"random\", got \"${s.order}\"")
                }
                is BabyStepsSampling -> {
                    if (s.buckets < 1) problem("$sp.buckets", "must be >= 1, got ${s.buckets}")
                    if (s.epochsPerBucket < 1) problem("$sp.epochsPerBucket", "must be >= 1, got ${s.epochsPerBucket}")
                }
                is SwitchSampling -> if (s.epoch < 0) problem("$sp.epoch", "must be >= 0 (0: no curriculum), got ${s.epoch}")
                is StochasticMixingSampling -> {
                    if (s.mode !in setOf("naive", "mix", "combined")) problem("$sp.mode", "must be \"naive\", \"mix\" or \"combined\", got \"${s.mode}\"")
                    if (s.epochSize < 1) problem("$sp.epochSize", "must be >= 1, got ${s.epochSize}")
                }
                is ReweightingSampling -> if (!(s.hardWeight >= 0 && s.hardWeight <= 1)) problem("$sp.hardWeight", "must be in [0, 1], got ${s.hardWeight}")
                is SelfPacedSampling -> optimizerChecks.checkEpochSchedule(s.lambda, "$sp.lambda", Need.POSITIVE)
                is TeacherStudentSampling -> {
                    if (s.epochSize < 1) problem("$sp.epochSize", "must be >= 1, got ${s.epochSize}")
                    if (s.window < 2) problem("$sp.window", "must be >= 2 (a slope needs two points), got ${s.window}")
                    if (!(s.epsilon >= 0 && s.epsilon <= 1)) problem("$sp.epsilon", "must be in [0, 1], got ${s.epsilon}")
                }
                is ReplaySampling -> {
                    if (s.epochsPerChunk < 1) problem("$sp.epochsPerChunk", "must be >= 1, got ${s.epochsPerChunk}")
                    if (!(s.replayShare >= 0) || !s.replayShare.isFinite()) problem("$sp.replayShare", "must be >= 0 and finite, got ${s.replayShare}")
                }
                is CustomSampling -> if (s.name.isBlank()) problem("$sp.name", "must name a registered curriculum")
            }
        }

        private fun samplingName(s: SamplingSpec): String = when (s) {
            is PacedSampling -> "paced()"
            is BabyStepsSampling -> "babySteps()"
            is SwitchSampling -> "switchAt()"
            is StochasticMixingSampling -> "stochasticMixing()"
            is ReweightingSampling -> "reweighting()"
            is SelfPacedSampling -> "selfPaced()"
            is TeacherStudentSampling -> "teacherStudent()"
            is ReplaySampling -> "replay()"
            is CustomSampling -> "custom()"
        }

        private fun checkContinuation(c: ContinuationSpec) {
            val p = "continuation"
            if (c.samples < 1) problem("$p.samples", "must be >= 1, got ${c.samples}")
            c.gaussianSigma?.let { optimizerChecks.checkEpochSchedule(it, "$p.gaussianSigma", Need.NON_NEGATIVE) }
            c.labelSmoothing?.let { optimizerChecks.checkEpochSchedule(it, "$p.labelSmoothing", Need.UNIT_OPEN) }
            c.temperature?.let {
                optimizerChecks.checkEpochSchedule(it, "$p.temperature", Need.POSITIVE)
                if (spec.train.loss == LossSpec.MEAN_SQUARED_ERROR) problem("$p.temperature", "a temperature applies to softmax or sigmoid outputs, not to mean-squared-error")
            }
            c.parameterNoise?.let { optimizerChecks.checkEpochSchedule(it, "$p.parameterNoise", Need.NON_NEGATIVE) }
        }

        private fun checkPretrain(p: PretrainSpec, layers: List<LayerSpec>) {
            when (p) {
                is GreedyLayerwiseSpec -> {
                    val path = "pretrain"
                    if (p.epochsPerLayer < 1) problem("$path.epochsPerLayer", "must be >= 1, got ${p.epochsPerLayer}")
                    if (p.lowerLayers !in setOf("frozen", "fine-tuned")) {
                        problem("$path.lowerLayers", "must be \"frozen\" or \"fine-tuned\", got \"${p.lowerLayers}\"")
                    }
                    if (layers.size < 2) problem("model.layers", "greedy layer-wise pre-training needs at least one hidden layer before the output layer")
                    // each stage trains (and carries) one hidden layer's parameters; a layer without any fails the engine's stage
                    layers.dropLast(1).forEachIndexed { i, l ->
                        if (l is DropoutSpec) {
                            problem(
                                "model.layers[$i]",
                                "greedy layer-wise pre-training trains one hidden layer per stage and dropout has none to train; " +
                                    "put it inside a residual block or leave pre-training out",
                            )
                        }
                    }
                    when (val o = p.optimizer) {
                        null -> if (spec.optimizer is PipelineSpec) {
                            problem("$path.optimizer", "the experiment's optimizer is a pipeline; give pre-training its own optimizer")
                        } else if (spec.optimizer is BatchMethodSpec) {
                            problem("$path.optimizer", "the experiment's optimizer is a batch method; give pre-training a first-order optimizer")
                        }
                        is PipelineSpec -> problem("$path.optimizer", "a pre-training stage takes one optimizer, not a pipeline")
                        is BatchMethodSpec -> problem("$path.optimizer", "a pre-training stage takes a first-order optimizer, not a batch method")
                        else -> optimizerChecks.check(o)
                    }
                    if (spec.model.transfers.isNotEmpty()) problem("model.transfers", "copying layers from a run and greedy pre-training both set the initial layers; use one")
                    if (spec.model.dataDriven != null) problem("model.dataDriven", "data-driven scaling is not combined with greedy pre-training (each stage has a fresh head)")
                    if (spec.model.heads.isNotEmpty()) problem("model.heads", "auxiliary heads are not combined with greedy pre-training (each stage already has a head)")
                }
            }
        }

        private fun checkDataDriven(d: DataDrivenSpec, trainSize: Long) {
            val path = "model.dataDriven"
            if (!(d.targetStd > 0) || !d.targetStd.isFinite()) problem("$path.targetStd", "must be > 0 and finite, got ${d.targetStd}")
            if (!(d.tolerance > 0 && d.tolerance < 1)) problem("$path.tolerance", "must be in (0, 1) (relative to targetStd), got ${d.tolerance}")
            if (d.maxIterations < 1) problem("$path.maxIterations", "must be >= 1, got ${d.maxIterations}")
            if (!(d.gradientTolerance > 0) || !d.gradientTolerance.isFinite()) {
                problem("$path.gradientTolerance", "must be > 0 and finite (a ratio tolerance), got ${d.gradientTolerance}")
            }
            try {
                DataDrivenScaling.Measure.parse(d.measure)
            } catch (e: IllegalArgumentException) {
                problem("$path.measure", e.message ?: "unknown measure '${d.measure}'")
            }
            if (d.batchSize < 2) {
                problem("$path.batchSize", "must be >= 2, got ${d.batchSize}")
            } else if (trainSize > 0 && d.batchSize > trainSize) {
                problem("$path.batchSize", "${d.batchSize} is larger than the training set ($trainSize examples)")
            }
        }

        /**
         * The initializer registry's problems at their paths: an unknown name at `.name`, an
         * argument's at `.args.<argument>`, a mismatch with the layer at the initializer itself.
         * The layer (activation, sizes) is known only when it is valid itself.
         */
        private fun checkInit(path: String, init: InitSpec, activation: Activation?, fanIn: Long, fanOut: Int, isBias: Boolean, isOutput: Boolean) {
            if (init.name == InitSpec.CLASS_FREQUENCIES) {
                when {
                    !isBias || !isOutput -> problem("$path.name", "class-frequencies sets the output layer's biases from the label frequencies; use it as the last layer's bias")
                    init.args.isNotEmpty() -> problem("$path.args.${init.args.keys.first()}", "is unknown; class-frequencies takes no arguments")
                }
                return
            }
            if (isBias && init.name in MATRIX_INITIALIZERS) {
                problem("$path.name", "${init.name} needs a weight matrix; a bias is a vector (use zeros(), constant(v), normal(std), ...)")
                return
            }
            val found = if (activation != null && fanIn in 1..Int.MAX_VALUE && fanOut > 0) {
                Initializers.check(init.name, init.args, activation, fanIn.toInt(), fanOut)
            } else {
                Initializers.check(init.name, init.args)
            }
            for (p in found) {
                val at = when {
                    p.argument() != null -> "$path.args.${p.argument()}"
                    init.name !in Initializers.names() -> "$path.name"
                    else -> path
                }
                problem(at, p.message())
            }
        }

        private val optimizerChecks = OptimizerChecks(
            train = spec.train,
            hasValidation = spec.train.validationFraction > 0,
            parameters = parameterPaths(spec.model, dataFacts(spec.data).inputSize, dataFacts(spec.data).classes),
            problem = ::problem,
        )

        private fun checkOptimizer(opt: OptimizerSpec) = optimizerChecks.check(opt)

        private fun checkTrain() {
            val t = spec.train
            if (t.epochs < 1) problem("train.epochs", "must be >= 1, got ${t.epochs}")
            val trainSize = dataFacts(spec.data).trainSize
            val f = t.validationFraction
            var kept = trainSize
            if (!(f >= 0 && f < 1)) {
                problem("train.validationFraction", "must be in [0, 1), got $f")
            } else if (f > 0 && trainSize > 0) {
                val held = heldOut(trainSize, f)
                if (held < 1 || held >= trainSize) {
                    problem(
                        "train.validationFraction",
                        "$f of $trainSize training examples holds out $held for validation; need at least 1 for validation and 1 for training",
                    )
                } else {
                    kept = trainSize - held
                }
            }
            if (t.batchSize <= 0) {
                problem("train.batchSize", "must be > 0, got ${t.batchSize}")
            } else if (kept > 0 && t.batchSize > kept) {
                val what = if (kept == trainSize) "$trainSize examples" else "$kept examples after holding out ${trainSize - kept} for validation"
                problem("train.batchSize", "${t.batchSize} is larger than the training set ($what)")
            }
            if (t.evalBatchSize <= 0) problem("train.evalBatchSize", "must be > 0, got ${t.evalBatchSize}")
            t.diagnostics?.let { checkDiagnostics(it, trainSize, kept) }
            t.curvature?.let { checkCurvature(it, trainSize, kept) }
            checkCheckpoints(t.checkpoints, t.validationFraction)
            optimizerChecks.checkTrain(spec.optimizer)
        }

        private fun checkCheckpoints(c: CheckpointSpec, validationFraction: Double) {
            if (c.everyEpochs < 1) problem("train.checkpoints.everyEpochs", "must be >= 1, got ${c.everyEpochs}")
            if (c.keepLast < 1) problem("train.checkpoints.keepLast", "must be >= 1 (resuming needs the last one), got ${c.keepLast}")
            val m = c.metric ?: return
            if (m !in CHECKPOINT_METRICS) {
                problem("train.checkpoints.metric", "unknown metric '$m'; known: ${CHECKPOINT_METRICS.joinToString()}")
            } else if (m.startsWith("validation.") && validationFraction == 0.0) {
                problem("train.checkpoints.metric", "$m needs a validation split; set train.validationFraction")
            }
        }

        private fun checkCurvature(c: CurvatureSpec, trainSize: Long, kept: Long) {
            if (c.everyEpochs < 0) problem("train.curvature.everyEpochs", "must be >= 0 (0: not per epoch), got ${c.everyEpochs}")
            if (c.everySteps < 0) problem("train.curvature.everySteps", "must be >= 0 (0: not per step), got ${c.everySteps}")
            if (c.batchSize < 1) {
                problem("train.curvature.batchSize", "must be >= 1, got ${c.batchSize}")
            } else if (kept > 0 && c.batchSize > kept) {
                val what = if (kept == trainSize) "$trainSize examples" else "$kept examples after holding out ${trainSize - kept} for validation"
                problem("train.curvature.batchSize", "${c.batchSize} is larger than the training set ($what)")
            }
        }

        private fun checkDiagnostics(d: DiagnosticsSpec, trainSize: Long, kept: Long) {
            if (d.everyEpochs < 1) problem("train.diagnostics.everyEpochs", "must be >= 1, got ${d.everyEpochs}")
            if (d.batchSize < 1) {
                problem("train.diagnostics.batchSize", "must be >= 1, got ${d.batchSize}")
            } else if (kept > 0 && d.batchSize > kept) {
                val what = if (kept == trainSize) "$trainSize examples" else "$kept examples after holding out ${trainSize - kept} for validation"
                problem("train.diagnostics.batchSize", "${d.batchSize} is larger than the training set ($what)")
            }
            if (d.jacobianExamples < 0) {
                problem("train.diagnostics.jacobianExamples", "must be >= 0 (0 skips the Jacobian), got ${d.jacobianExamples}")
            } else if (d.batchSize >= 1 && d.jacobianExamples > d.batchSize) {
                problem("train.diagnostics.jacobianExamples", "${d.jacobianExamples} is more than the probe batch (batchSize ${d.batchSize})")
            }
        }
    }
}
