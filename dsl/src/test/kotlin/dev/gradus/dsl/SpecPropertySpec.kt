package dev.gradus.dsl

import dev.gradus.engine.nn.Activation
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

    private fun finite(min: Double, max: Double): Arb<Double> = Arb.numericDouble(min, max)

    val init: Arb<InitSpec> = Arb.choice(
        finite(0.01, 4.0).map { glorotUniform(it) },
        Arb.constant(InitSpec("glorot-uniform")),
        Arb.constant(zeros()),
        finite(-1.0, 1.0).map { constant(it) },
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
        DenseSpec(units.bind(), Arb.element(Activation.entries.map { it.id() }).bind(), init.bind(), init.bind())
    }

    val valid: Arb<ExperimentSpec> = arbitrary {
        val data = Arb.choice(shapeset, fashion).bind()
        val facts = SpecCompiler.dataFacts(data)
        val hidden = Arb.list(dense(Arb.int(1..512)), 0..3).bind()
        val output = dense(Arb.int(facts.classes..facts.classes + 5)).bind()
        ExperimentSpec(
            name = name.bind(),
            seed = Arb.long(0L..Long.MAX_VALUE).bind(),
            backend = Arb.element(Backends.available().keys.toList()).bind(),
            device = Arb.element("cpu", "cuda", "cuda:0", "cuda:3", "CPU").bind(),
            dtype = Arb.element("float32", "float64").bind(),
            data = data,
            model = ModelSpec(hidden + output),
            optimizer = SgdSpec(finite(1e-6, 10.0).bind()),
            train = TrainSpec(
                epochs = Arb.int(1..100).bind(),
                batchSize = Arb.int(1..minOf(facts.trainSize, 4096L).toInt()).bind(),
                shuffle = Arb.boolean().bind(),
                evalBatchSize = Arb.int(1..10_000).bind(),
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
        s.withLayer(i) { it.copy(weightInit = InitSpec("he-normal")) } to "model.layers[$i].weightInit.name"
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
    Corruption("bad fashion limit", { it.data is FashionMnistSpec }) { s ->
        s.copy(data = (s.data as FashionMnistSpec).copy(trainLimit = Arb.element(0, -1, 60_001).bind())) to "data.trainLimit"
    },
)

@OptIn(ExperimentalKotest::class)
class SpecPropertySpec : FunSpec({
    val config = PropTestConfig(iterations = 400, seed = 20_260_101L)

    test("random valid specs pass validation and survive a JSON round trip") {
        checkAll(config, SpecArbs.valid) { spec ->
            SpecCompiler.validate(spec).shouldBeEmpty()
            SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
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
