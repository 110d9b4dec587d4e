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
            layers = run {
                var inputs = Math.toIntExact(facts.inputSize)
                spec.model.layers.map { layer ->
                    when (layer) {
                        is DenseSpec -> {
                            val activation = ACTIVATIONS.getValue(layer.activation)
                            DenseRecipe(
                                units = layer.units,
                                activation = activation,
                                weightInit = initializer(layer.weightInit, activation, inputs, layer.units),
                                biasInit = if (layer.biasInit.name == InitSpec.CLASS_FREQUENCIES) null
                                else initializer(layer.biasInit, activation, inputs, layer.units),
                            ).also { inputs = layer.units }
                        }
                    }
                }
            },
        )
    }

    /** [json] decoded ([SpecJson.decode]) and compiled. */
    @JvmStatic
    fun compileJson(json: String): CompiledExperiment = compile(SpecJson.decode(json))

    /** The engine's initializer for a layer with [activation], [fanIn] inputs and [fanOut] units (gains may depend on them). */
    private fun initializer(init: InitSpec, activation: Activation, fanIn: Int, fanOut: Int): Initializer =
        Initializers.byName(init.name, init.args, activation, fanIn, fanOut)

    /** Examples the engine's trainer holds out for validation from [trainSize] with [fraction] (as `Trainer.holdOutValidation`). */
    internal fun heldOut(trainSize: Long, fraction: Double): Long = if (fraction == 0.0) 0 else Math.round(fraction * trainSize)

    /** The parameter paths of the model built from [model] (`layers.i.weight`, `layers.i.bias`); null when it has no layers. */
    internal fun parameterPaths(model: ModelSpec): List<String>? =
        if (model.layers.isEmpty()) null else model.layers.indices.flatMap { listOf("layers.$it.weight", "layers.$it.bias") }

    /** What the spec implies about its data set, without loading it. */
    internal data class DataFacts(val kind: String, val classes: Int, val inputSize: Long, val trainSize: Long)

    internal fun dataFacts(data: DataSpec): DataFacts = when (data) {
        is ShapesetSpec -> DataFacts("shapeset", 3, data.imageSize.toLong() * data.imageSize, data.train.toLong())
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

        private fun checkData(data: DataSpec) {
            when (data) {
                is ShapesetSpec -> checkShapeset(data)
                is FashionMnistSpec -> checkFashionMnist(data)
            }
        }

        private fun checkShapeset(d: ShapesetSpec) {
            if (d.family !in FAMILIES) {
                problem("data.family", "unknown shapeset family '${d.family}' (known: ${FAMILIES.keys.joinToString()})")
            }
            if (d.train <= 0) problem("data.train", "must be > 0, got ${d.train}")
            if (d.test <= 0) problem("data.test", "must be > 0, got ${d.test}")
            val sizeOk = d.imageSize in 4..4096
            if (!sizeOk) problem("data.imageSize", "must be in 4..4096 pixels, got ${d.imageSize}")
            val minOk = d.minSize > 0 && d.minSize <= 1
            val maxOk = d.maxSize > 0 && d.maxSize <= 1
            if (!minOk) problem("data.minSize", "must be in (0, 1] (fraction of the image side), got ${d.minSize}")
            if (!maxOk) problem("data.maxSize", "must be in (0, 1] (fraction of the image side), got ${d.maxSize}")
            if (minOk && maxOk && d.minSize > d.maxSize) {
                problem("data.maxSize", "must be >= minSize (${d.minSize}), got ${d.maxSize}")
            }
            if (!(d.inversionProbability >= 0 && d.inversionProbability <= 1)) {
                problem("data.inversionProbability", "must be in [0, 1], got ${d.inversionProbability}")
            }
            if (sizeOk) {
                val pixels = d.imageSize.toLong() * d.imageSize
                for ((field, n) in listOf("train" to d.train, "test" to d.test)) {
                    if (n > 0 && pixels * n > MAX_ARRAY) {
                        problem("data.$field", "$n images of ${d.imageSize}x${d.imageSize} pixels exceed one array's capacity ($MAX_ARRAY values)")
                    }
                }
            }
        }

        private fun checkFashionMnist(d: FashionMnistSpec) {
            d.trainLimit?.let {
                if (it !in 1..FASHION_MNIST_TRAIN) problem("data.trainLimit", "must be in 1..$FASHION_MNIST_TRAIN (or null for all), got $it")
            }
            d.testLimit?.let {
                if (it !in 1..FASHION_MNIST_TEST) problem("data.testLimit", "must be in 1..$FASHION_MNIST_TEST (or null for all), got $it")
            }
            if (d.dir != null && d.dir.isBlank()) {
                problem("data.dir", "must not be blank (null means \$${FashionMnist.ENV} or ${FashionMnist.DEFAULT_DIR})")
            }
        }

        private fun checkModel() {
            val layers = spec.model.layers
            if (layers.isEmpty()) {
                problem("model.layers", "a model needs at least one layer (end with output(classes = N))")
                return
            }
            val facts = dataFacts(spec.data)
            var inputs = facts.inputSize
            layers.forEachIndexed { i, layer ->
                val path = "model.layers[$i]"
                when (layer) {
                    is DenseSpec -> {
                        if (layer.units <= 0) {
                            problem("$path.units", "must be > 0, got ${layer.units}")
                        } else if (inputs > 0 && inputs * layer.units > MAX_ARRAY) {
                            problem("$path.units", "${layer.units} units on $inputs inputs make ${inputs * layer.units} weights, more than one tensor holds ($MAX_ARRAY)")
                        }
                        if (layer.activation !in ACTIVATIONS) {
                            problem("$path.activation", "unknown activation '${layer.activation}' (known: ${ACTIVATIONS.keys.joinToString()})")
                        }
                        val activation = ACTIVATIONS[layer.activation]
                        val isOutput = i == layers.lastIndex
                        checkInit("$path.weightInit", layer.weightInit, activation, inputs, layer.units, isBias = false, isOutput)
                        checkInit("$path.biasInit", layer.biasInit, activation, inputs, layer.units, isBias = true, isOutput)
                        inputs = layer.units.toLong()
                    }
                }
            }
            val last = layers.last()
            if (last is DenseSpec && last.units > 0 && last.units < facts.classes) {
                problem(
                    "model.layers[${layers.lastIndex}].units",
                    "the output layer has ${last.units} units but the data set (${facts.kind}) has ${facts.classes} classes",
                )
            }
            spec.model.dataDriven?.let { checkDataDriven(it, facts.trainSize) }
        }

        private fun checkDataDriven(d: DataDrivenSpec, trainSize: Long) {
            val path = "model.dataDriven"
            if (!(d.targetStd > 0) || !d.targetStd.isFinite()) problem("$path.targetStd", "must be > 0 and finite, got ${d.targetStd}")
            if (!(d.tolerance > 0 && d.tolerance < 1)) problem("$path.tolerance", "must be in (0, 1) (relative to targetStd), got ${d.tolerance}")
            if (d.maxIterations < 1) problem("$path.maxIterations", "must be >= 1, got ${d.maxIterations}")
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
            parameters = parameterPaths(spec.model),
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
            optimizerChecks.checkTrain(spec.optimizer)
        }
    }
}
