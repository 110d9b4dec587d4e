package dev.gradus.dsl

import dev.gradus.engine.nn.Activation
import dev.gradus.engine.optim.Transforms
import dev.gradus.engine.tensor.Backends
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.common.ExperimentalKotest
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.property.Arb
import io.kotest.property.PropTestConfig
import io.kotest.property.arbitrary.ArbitraryBuilderContext
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.choice
import io.kotest.property.arbitrary.constant
import io.kotest.property.arbitrary.numericDouble
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.filter
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.list
import io.kotest.property.arbitrary.long
import io.kotest.property.arbitrary.map
import io.kotest.property.arbitrary.orNull
import io.kotest.property.checkAll

/** Random specs that validation must accept. */
object SpecArbs {
    private val nameChars = ('a'..'z') + ('A'..'Z') + ('0'..'9') + listOf('.', '_', '-')

    val name: Arb<String> = Arb.list(Arb.element(nameChars), 1..40).map { it.joinToString("") }
        .filter { it != "." && it != ".." }

    fun finite(min: Double, max: Double): Arb<Double> = Arb.numericDouble(min, max)

    /** Initializers valid for any parameter, weights and biases alike. */
    val init: Arb<InitSpec> = Arb.choice(
        finite(0.01, 4.0).map { glorotUniform(it) },
        Arb.constant(InitSpec("glorot-uniform")),
        Arb.constant(zeros()),
        finite(-1.0, 1.0).map { constant(it) },
        Arb.element(heNormal(), heUniform(), lecunNormal(), lecunUniform(), glorotNormal(), uniformFanIn(), glorotUniform(fromActivation)),
        finite(1e-3, 1.0).map { normal(it) },
    )

    /** Initializers that need a weight matrix (any size: sparse with k = 1). */
    val weightInit: Arb<InitSpec> = Arb.choice(
        init,
        Arb.element(orthogonal(), orthogonal(fromActivation), sparse(k = 1)),
    )

    val shapeset: Arb<ShapesetSpec> = arbitrary {
        val minSize = finite(0.05, 1.0).bind()
        ShapesetSpec(
            family = Arb.element("basic", "geometric").bind(),
            train = Arb.int(1..20_000).bind(),
            test = Arb.int(1..5_000).bind(),
            imageSize = Arb.int(4..64).bind(),
            minSize = minSize,
            maxSize = finite(minSize, 1.0).bind(),
            rotate = Arb.boolean().bind(),
            inversionProbability = finite(0.0, 1.0).bind(),
            greyLevels = Arb.boolean().bind(),
        )
    }

    val fashion: Arb<FashionMnistSpec> = arbitrary {
        FashionMnistSpec(
            dir = Arb.element("/data/fashion-mnist", "fm").orNull(0.7).bind(),
            trainLimit = Arb.int(1..60_000).orNull(0.3).bind(),
            testLimit = Arb.int(1..10_000).orNull(0.3).bind(),
        )
    }

    fun dense(units: Arb<Int>): Arb<DenseSpec> = arbitrary {
        DenseSpec(units.bind(), Arb.element(Activation.entries.map { it.id() }).bind(), weightInit.bind(), init.bind())
    }

    val valid: Arb<ExperimentSpec> = arbitrary {
        val data = Arb.choice(shapeset, fashion).bind()
        val facts = SpecCompiler.dataFacts(data)
        val hidden = Arb.list(dense(Arb.int(1..512)), 0..3).bind()
        val output = dense(Arb.int(facts.classes..facts.classes + 5)).bind()
        val n = facts.trainSize
        val fraction = if (n >= 20 && Arb.boolean().bind()) finite(0.05, 0.5).bind() else 0.0
        val kept = (n - SpecCompiler.heldOut(n, fraction)).toInt()
        val arbs = OptimizerArbs(hasValidation = fraction > 0, kept = kept)
        val batchSchedule = if (Arb.int(0..4).bind() == 0) with(arbs) { batchSize() } else null
        val fixedBatch = batchSchedule == null || batchSchedule is ConstantSchedule
        val optimizer = with(arbs) { if (Arb.int(0..3).bind() == 0) pipeline(batchSchedule) else optimizer(fixedBatch) }
        ExperimentSpec(
            name = name.bind(),
            seed = Arb.long(0L..Long.MAX_VALUE).bind(),
            backend = Arb.element(Backends.available().keys.toList()).bind(),
            device = Arb.element("cpu", "cuda", "cuda:0", "cuda:3", "CPU").bind(),
            dtype = Arb.element("float32", "float64").bind(),
            data = data,
            model = ModelSpec(hidden + output),
            optimizer = optimizer,
            train = TrainSpec(
                epochs = Arb.int(1..100).bind(),
                batchSize = Arb.int(1..minOf(kept, 4096)).bind(),
                shuffle = Arb.boolean().bind(),
                evalBatchSize = Arb.int(1..10_000).bind(),
                validationFraction = fraction,
                evaluateAveraged = OptimizerChecks.hasAverager(optimizer) && Arb.boolean().bind(),
                batchSizeSchedule = batchSchedule,
            ),
        )
    }
}

/** One way to break a valid spec, and the path where validation must then report a problem. */
private class Corruption(
    val label: String,
    val applies: (ExperimentSpec) -> Boolean = { true },
    val corrupt: suspend ArbitraryBuilderContext.(ExperimentSpec) -> Pair<ExperimentSpec, String>,
)

private fun ExperimentSpec.withLayer(i: Int, f: (DenseSpec) -> DenseSpec) =
    copy(model = ModelSpec(model.layers.mapIndexed { j, l -> if (j == i) f(l as DenseSpec) else l }))

private fun ExperimentSpec.shapes(f: (ShapesetSpec) -> ShapesetSpec) = copy(data = f(data as ShapesetSpec))

private val isShapeset: (ExperimentSpec) -> Boolean = { it.data is ShapesetSpec }

private val badNumbers = listOf(0.0, -1.0, -1e-9, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)

private val corruptions = listOf(
    Corruption("non-positive units") { s ->
        val i = Arb.int(0..s.model.layers.lastIndex).bind()
        val units = Arb.int(-1000..0).bind()
        s.withLayer(i) { it.copy(units = units) } to "model.layers[$i].units"
    },
    Corruption("too few output units") { s ->
        val classes = SpecCompiler.dataFacts(s.data).classes
        val units = Arb.int(1 until classes).bind()
        s.withLayer(s.model.layers.lastIndex) { it.copy(units = units) } to "model.layers[${s.model.layers.lastIndex}].units"
    },
    Corruption("unknown activation") { s ->
        val i = Arb.int(0..s.model.layers.lastIndex).bind()
        val act = Arb.element("gelu", "ReLU ", "", "swish", "leaky_relu").bind()
        s.withLayer(i) { it.copy(activation = act) } to "model.layers[$i].activation"
    },
    Corruption("unknown initializer") { s ->
        val i = Arb.int(0..s.model.layers.lastIndex).bind()
        s.withLayer(i) { it.copy(weightInit = InitSpec("kaiming-normal")) } to "model.layers[$i].weightInit.name"
    },
    Corruption("bad gain") { s ->
        val i = Arb.int(0..s.model.layers.lastIndex).bind()
        val gain = Arb.element(badNumbers).bind()
        s.withLayer(i) { it.copy(weightInit = glorotUniform(gain)) } to "model.layers[$i].weightInit.args.gain"
    },
    Corruption("non-finite bias constant") { s ->
        val i = Arb.int(0..s.model.layers.lastIndex).bind()
        val v = Arb.element(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).bind()
        s.withLayer(i) { it.copy(biasInit = constant(v)) } to "model.layers[$i].biasInit.args.value"
    },
    Corruption("no layers") { s -> s.copy(model = ModelSpec(emptyList())) to "model.layers" },
    Corruption("bad learning rate") { s -> s.copy(optimizer = SgdSpec(Arb.element(badNumbers).bind())) to "optimizer.lr" },
    Corruption("non-positive batch") { s -> s.copy(train = s.train.copy(batchSize = Arb.int(-100..0).bind())) to "train.batchSize" },
    Corruption("batch larger than the training set") { s ->
        val n = SpecCompiler.dataFacts(s.data).trainSize
        s.copy(train = s.train.copy(batchSize = (n + Arb.int(1..1000).bind()).toInt())) to "train.batchSize"
    },
    Corruption("non-positive epochs") { s -> s.copy(train = s.train.copy(epochs = Arb.int(-5..0).bind())) to "train.epochs" },
    Corruption("non-positive eval batch") { s ->
        s.copy(train = s.train.copy(evalBatchSize = Arb.int(-5..0).bind())) to "train.evalBatchSize"
    },
    Corruption("negative seed") { s -> s.copy(seed = Arb.long(Long.MIN_VALUE..-1L).bind()) to "seed" },
    Corruption("unknown backend") { s -> s.copy(backend = Arb.element("foo", "torch", "", "PyTorch").bind()) to "backend" },
    Corruption("unknown device") { s -> s.copy(device = Arb.element("tpu", "cuda:-1", "cuda:x", "").bind()) to "device" },
    Corruption("unknown dtype") { s -> s.copy(dtype = Arb.element("float16", "int64", "FLOAT32", "").bind()) to "dtype" },
    Corruption("bad name") { s ->
        s.copy(name = Arb.element("", "a b", "runs/x", "..", "é", "x".repeat(129)).bind()) to "name"
    },
    Corruption("unsupported version") { s -> s.copy(version = Arb.element(0, 2, -1, 99).bind()) to "version" },
    Corruption("unknown family", isShapeset) { s -> s.shapes { it.copy(family = "circles") } to "data.family" },
    Corruption("empty training set", isShapeset) { s ->
        val n = Arb.int(-10..0).bind()
        s.shapes { it.copy(train = n) } to "data.train"
    },
    Corruption("empty test set", isShapeset) { s ->
        val n = Arb.int(-10..0).bind()
        s.shapes { it.copy(test = n) } to "data.test"
    },
    Corruption("bad image size", isShapeset) { s ->
        val size = Arb.element(-1, 0, 3, 4097).bind()
        s.shapes { it.copy(imageSize = size) } to "data.imageSize"
    },
    Corruption("bad min size", isShapeset) { s ->
        val min = Arb.element(badNumbers + 1.5).bind()
        s.shapes { it.copy(minSize = min) } to "data.minSize"
    },
    Corruption("min above max", isShapeset) { s ->
        s.shapes { it.copy(minSize = 0.9, maxSize = 0.5) } to "data.maxSize"
    },
    Corruption("bad inversion probability", isShapeset) { s ->
        val p = Arb.element(-0.1, 1.01, Double.NaN).bind()
        s.shapes { it.copy(inversionProbability = p) } to "data.inversionProbability"
    },
    Corruption("bad hyperparameter of the optimizer", { OptimizerChecks.isStepper(it.optimizer) && it.optimizer !is GroupsSpec && it.optimizer !is FreezeSpec }) { s ->
        val (o, field) = corruptOneHyperparameter(s.optimizer, Arb.int(0..100).bind(), Arb.element(badNumbers + 1.0 + 2.5).bind())
        s.copy(optimizer = o) to "optimizer.$field"
    },
    Corruption("bad hyperparameter in a chain", { it.optimizer is ChainSpec }) { s ->
        val chain = s.optimizer as ChainSpec
        val i = chain.transforms.indexOfFirst { OptimizerChecks.isStepper(it) && it !is GroupsSpec && it !is FreezeSpec }
        if (i < 0) {
            s.copy(optimizer = chain(clipByGlobalNorm(0.0), sgd(0.1))) to "optimizer.transforms[0].maxNorm"
        } else {
            val (o, field) = corruptOneHyperparameter(chain.transforms[i], Arb.int(0..100).bind(), Arb.element(badNumbers + 1.0).bind())
            s.copy(optimizer = ChainSpec(chain.transforms.toMutableList().also { it[i] = o })) to "optimizer.transforms[$i].$field"
        }
    },
    Corruption("bad schedule argument") { s ->
        val (lr, field) = Arb.element(
            cosine(1e-3, steps = 0) to "steps",
            linearDecay(0.1, -1, 0.0) to "steps",
            stepDecay(0.1, 0.5, every = 0) to "every",
            stepDecay(Double.NaN, 0.5, every = 10) to "initial",
            multiStep(0.1, 0.5, 10, 5) to "milestones[1]",
            warmup(cosine(0.1, steps = 0), steps = 10) to "after.steps",
            join(listOf(fixed(0.1), cosine(0.1, 10)), 0) to "boundaries[0]",
            polynomial(0.1, 100, power = -1.0) to "power",
            reduceOnPlateau(0.1, metric = "train.loss", factor = 1.0) to "factor",
            exponential(0.1, rate = -0.5) to "rate",
        ).bind()
        s.copy(optimizer = adam(lr = lr)) to "optimizer.lr.$field"
    },
    Corruption("learning-rate schedule going negative") { s ->
        s.copy(optimizer = sgd(lr = linearDecay(0.1, Arb.long(1L..1000L).bind(), -SpecArbs.finite(1e-6, 1.0).bind()))) to "optimizer.lr"
    },
    Corruption("momentum schedule reaching 1") { s ->
        s.copy(optimizer = sgd(lr = fixed(0.1), momentum = cosine(SpecArbs.finite(0.0, 0.9).bind(), 100, end = 1.0))) to "optimizer.momentum"
    },
    Corruption("a transform without an optimizer") { s ->
        s.copy(optimizer = Arb.element(clipByGlobalNorm(1.0), chain(clipByNorm(1.0), weightDecay(1e-4)), polyak(), ema()).bind()) to "optimizer"
    },
    Corruption("pipeline nested in a chain", { it.optimizer !is PipelineSpec }) { s ->
        s.copy(optimizer = chain(s.optimizer, pipeline { phase("x", epochs = 1) { sgd(0.1) } })) to "optimizer.transforms[1]"
    },
    Corruption("averager not last", { it.optimizer !is PipelineSpec && !OptimizerChecks.hasAverager(it.optimizer) }) { s ->
        s.copy(optimizer = chain(s.optimizer, Arb.element(polyak(), ema()).bind(), clipByGlobalNorm(1.0))) to "optimizer.transforms[1]"
    },
    Corruption("malformed group pattern") { s ->
        val bad = Arb.element("", "layers..weight", ".bias", "bias.", "lay*", "***", "layers.0 .weight").bind()
        s.copy(optimizer = groups(otherwise = sgd(0.1)) { group("g", "**.bias", bad) { sgd(0.01) } }) to "optimizer.groups[0].patterns[1]"
    },
    Corruption("test metric in a stopping rule") { s ->
        val metric = Arb.element("test.loss", "test.accuracy").bind()
        val rule = Arb.element(plateau(metric, 2, 10), target(metric, 0.5, 10), earlyStopping(metric, 2, 10)).bind()
        s.copy(optimizer = pipeline { phase("a", epochs = 1) { adam() }; phase("b", until = rule) { sgd(0.01) } }) to "optimizer.phases[1].until.metric"
    },
    Corruption("validation metric without a hold-out") { s ->
        val metric = Arb.element("validation.loss", "validation.accuracy").bind()
        val noSplit = s.copy(train = s.train.copy(validationFraction = 0.0, batchSize = 1))
        if (Arb.boolean().bind()) {
            noSplit.copy(optimizer = pipeline { phase("a", until = plateau(metric, 2, 10)) { adam() } }) to "optimizer.phases[0].until.metric"
        } else {
            noSplit.copy(optimizer = adam(lr = reduceOnPlateau(1e-3, metric = metric))) to "optimizer.lr.metric"
        }
    },
    Corruption("evaluating averages without an averager") { s ->
        s.copy(optimizer = sgd(0.1), train = s.train.copy(evaluateAveraged = true)) to "train.evaluateAveraged"
    },
    Corruption("bad validation fraction") { s ->
        s.copy(train = s.train.copy(validationFraction = Arb.element(1.0, 1.5, -0.1, Double.NaN).bind())) to "train.validationFraction"
    },
    Corruption("batch-size schedule going below 1") { s ->
        s.copy(train = s.train.copy(batchSizeSchedule = linearDecay(16.0, 10, SpecArbs.finite(-5.0, 0.9).bind()))) to "train.batchSizeSchedule"
    },
    Corruption("carrying state between different optimizers") { s ->
        s.copy(optimizer = pipeline { phase("a", epochs = 1) { adam() }; phase("b", epochs = 1, carryState = true) { rmsprop() } }) to
            "optimizer.phases[1].carryState"
    },
    Corruption("bad fashion limit", { it.data is FashionMnistSpec }) { s ->
        s.copy(data = (s.data as FashionMnistSpec).copy(trainLimit = Arb.element(0, -1, 60_001).bind())) to "data.trainLimit"
    },
)

/** [o] (an optimizer, not a transform) with its [k]-th hyperparameter (mod their number) set to [bad], and that field's name. */
private fun corruptOneHyperparameter(o: OptimizerSpec, k: Int, bad: Double): Pair<OptimizerSpec, String> {
    val c = fixed(bad)
    // [bad] may be 1.0 or 2.5: fatal for the ones in [0, 1), not for a learning rate or weight decay, so those get only badNumbers
    val fields: List<Pair<String, () -> OptimizerSpec>> = when (o) {
        is SgdSpec -> listOf("momentum" to { o.copy(momentum = c) })
        is MomentumSpec -> listOf("momentum" to { o.copy(momentum = c) })
        is NesterovBookSpec -> listOf("momentum" to { o.copy(momentum = c) })
        is RmspropSpec -> listOf("alpha" to { o.copy(alpha = c) }, "momentum" to { o.copy(momentum = c) })
        is RmspropNesterovSpec -> listOf("rho" to { o.copy(rho = c) }, "momentum" to { o.copy(momentum = c) })
        is AdamSpec -> listOf("beta1" to { o.copy(beta1 = c) }, "beta2" to { o.copy(beta2 = c) })
        is AdamWSpec -> listOf("beta1" to { o.copy(beta1 = c) }, "beta2" to { o.copy(beta2 = c) })
        else -> emptyList()
    }
    val always: List<Pair<String, () -> OptimizerSpec>> = when (o) {
        is SgdSpec -> listOf("lr" to { o.copy(lr = fixed(-1.0)) }, "weightDecay" to { o.copy(weightDecay = fixed(-1.0)) })
        is MomentumSpec -> listOf("lr" to { o.copy(lr = fixed(0.0)) })
        is NesterovBookSpec -> listOf("lr" to { o.copy(lr = fixed(Double.NaN)) })
        is AdagradSpec -> listOf("lr" to { o.copy(lr = fixed(-1.0)) }, "eps" to { o.copy(eps = fixed(-1.0)) }, "lrDecay" to { o.copy(lrDecay = fixed(Double.NaN)) })
        is RmspropSpec -> listOf("eps" to { o.copy(eps = fixed(Double.POSITIVE_INFINITY)) })
        is RmspropNesterovSpec -> listOf("lr" to { o.copy(lr = fixed(0.0)) })
        is AdamSpec -> listOf("lr" to { o.copy(lr = fixed(-1e-3)) }, "eps" to { o.copy(eps = fixed(-1.0)) })
        is AdamWSpec -> listOf("weightDecay" to { o.copy(weightDecay = fixed(-0.01)) })
        is AdadeltaSpec -> listOf("rho" to { o.copy(rho = fixed(1.5)) }, "lr" to { o.copy(lr = fixed(0.0)) })
        else -> error("not an optimizer: $o")
    }
    val all = if (bad >= 1.0 || bad < 0 || bad.isNaN()) fields + always else always
    val (name, make) = all[k % all.size]
    return make() to name
}

@OptIn(ExperimentalKotest::class)
class SpecPropertySpec : FunSpec({
    val config = PropTestConfig(iterations = 400, seed = 20_260_101L)

    test("random valid specs pass validation, survive a JSON round trip and build their engine objects") {
        checkAll(config, SpecArbs.valid) { spec ->
            SpecCompiler.validate(spec).shouldBeEmpty()
            SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
            // the engine's constructors accept everything validation accepts
            val compiled = SpecCompiler.compile(spec)
            val phases = compiled.buildPhases()
            phases.map { it.name() } shouldBe compiled.phaseNames
            phases.forEach { Transforms.checkAveragerPlacement(it.optimizer()) }
            if (!compiled.isPipeline) compiled.buildOptimizer()
            compiled.trainingConfig()
        }
    }

    test("one corruption of a valid spec is rejected with a problem at the corrupted path") {
        val corrupted = arbitrary {
            val spec = SpecArbs.valid.bind()
            val c = Arb.element(corruptions.filter { it.applies(spec) }).bind()
            val (bad, path) = c.corrupt(this, spec)
            Triple(c.label, bad, path)
        }
        val seen = mutableSetOf<String>()
        checkAll(config.copy(iterations = 1000), corrupted) { (label, bad, path) ->
            seen += label
            withClue("$label -> $path in $bad") {
                val problems = SpecCompiler.validate(bad)
                problems.map { it.path } shouldContain path
                val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(bad) }
                e.problems shouldBe problems
                e.message!!.lines().size shouldBe problems.size + 1
                e.message shouldContain "\n$path: "
            }
        }
        seen shouldBe corruptions.map { it.label }.toSet()
    }
})
