package dev.gradus.dsl

import dev.gradus.engine.tensor.Backends
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withTests
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

private data class Case(val name: String, val spec: ExperimentSpec, val path: String, val message: String)

class SpecValidationSpec : FunSpec({
    val base = experiment("base") {
        seed = 1
        backend = "reference"
        data = shapeset(train = 10_000, test = 2_000)
        model { dense(32, relu); dense(16, tanh); output(classes = 3) }
        optimizer = sgd(lr = 0.1)
        train { epochs = 2; batchSize = 64 }
    }
    val fashion = base.copy(data = fashionMnist(), model = ModelSpec(listOf(DenseSpec(32, "relu"), DenseSpec(10))))
    val available = Backends.available().keys.toList()

    fun ExperimentSpec.layer(i: Int, f: (DenseSpec) -> DenseSpec) =
        copy(model = ModelSpec(model.layers.mapIndexed { j, l -> if (j == i) f(l as DenseSpec) else l }))

    fun ExperimentSpec.shapes(f: (ShapesetSpec) -> ShapesetSpec) = copy(data = f(data as ShapesetSpec))

    test("the base specs are valid") {
        SpecCompiler.validate(base) shouldBe emptyList()
        SpecCompiler.validate(fashion) shouldBe emptyList()
    }

    context("each kind of problem is reported with its path") {
        withTests(
            nameFn = { it.name },
            Case("empty name", base.copy(name = ""), "name", "must not be empty"),
            Case("name with a slash",
                base.copy(name = "a/b"), "name",
                "'a/b' is not usable as a directory name: use only letters, digits, '.', '_' and '-'",
            ),
            Case("name ..", base.copy(name = ".."), "name", "'..' is not usable as a directory name"),
            Case("long name", base.copy(name = "x".repeat(200)), "name", "is 200 characters long; at most 128"),
            Case("version", base.copy(version = 7), "version", "unsupported spec version 7 (this build reads version 1)"),
            Case("negative seed", base.copy(seed = -3), "seed", "must be >= 0, got -3"),
            Case("unknown backend", base.copy(backend = "foo"), "backend", "unknown backend 'foo'; available: $available"),
            Case("unknown device", base.copy(device = "tpu"), "device", "unknown device 'tpu': expected cpu, cuda or cuda:N"),
            Case("unknown dtype", base.copy(dtype = "float16"), "dtype", "unknown dtype 'float16' (known: float32, float64)"),
            Case("unknown family",
                base.shapes { it.copy(family = "circles") }, "data.family",
                "unknown shapeset family 'circles' (known: basic, geometric)",
            ),
            Case("empty training set", base.shapes { it.copy(train = 0) }, "data.train", "must be > 0, got 0"),
            Case("empty test set", base.shapes { it.copy(test = -1) }, "data.test", "must be > 0, got -1"),
            Case("tiny images", base.shapes { it.copy(imageSize = 3) }, "data.imageSize", "must be in 4..4096 pixels, got 3"),
            Case("zero min size",
                base.shapes { it.copy(minSize = 0.0) }, "data.minSize",
                "must be in (0, 1] (fraction of the image side), got 0.0",
            ),
            Case("NaN max size",
                base.shapes { it.copy(maxSize = Double.NaN) }, "data.maxSize",
                "must be in (0, 1] (fraction of the image side), got NaN",
            ),
            Case("min above max",
                base.shapes { it.copy(minSize = 0.7, maxSize = 0.5) }, "data.maxSize", "must be >= minSize (0.7), got 0.5",
            ),
            Case("inversion probability",
                base.shapes { it.copy(inversionProbability = 1.5) }, "data.inversionProbability", "must be in [0, 1], got 1.5",
            ),
            Case("too many pixels",
                base.shapes { it.copy(imageSize = 4096, test = 10) }.copy(model = ModelSpec(listOf(DenseSpec(3)))), "data.train",
                "10000 images of 4096x4096 pixels exceed one array's capacity (2147483639 values)",
            ),
            Case("fashion train limit",
                fashion.copy(data = fashionMnist(trainLimit = 70_000)), "data.trainLimit",
                "must be in 1..60000 (or null for all), got 70000",
            ),
            Case("fashion test limit",
                fashion.copy(data = fashionMnist(testLimit = 0)), "data.testLimit", "must be in 1..10000 (or null for all), got 0",
            ),
            Case("fashion blank dir",
                fashion.copy(data = fashionMnist(dir = " ")), "data.dir",
                "must not be blank (null means \$GRADUS_DATA or /usr/share/datasets/fashion-mnist)",
            ),
            Case("no layers",
                base.copy(model = ModelSpec(emptyList())), "model.layers",
                "a model needs at least one layer (end with output(classes = N))",
            ),
            Case("zero units", base.layer(1) { it.copy(units = 0) }, "model.layers[1].units", "must be > 0, got 0"),
            Case("too few outputs",
                base.layer(2) { it.copy(units = 2) }, "model.layers[2].units",
                "the output layer has 2 units but the data set (shapeset) has 3 classes",
            ),
            Case("too few fashion outputs",
                fashion.layer(1) { it.copy(units = 3) }, "model.layers[1].units",
                "the output layer has 3 units but the data set (fashion-mnist) has 10 classes",
            ),
            Case("huge layer",
                base.layer(0) { it.copy(units = 3_000_000) }, "model.layers[0].units",
                "3000000 units on 1024 inputs make 3072000000 weights, more than one tensor holds (2147483639)",
            ),
            Case("unknown activation",
                base.layer(0) { it.copy(activation = "gelu") }, "model.layers[0].activation",
                "unknown activation 'gelu' (known: identity, relu, tanh, sigmoid, softsign, softplus)",
            ),
            Case("unknown initializer",
                base.layer(0) { it.copy(weightInit = InitSpec("he_normal")) }, "model.layers[0].weightInit.name",
                "unknown initializer 'he_normal' (did you mean 'he-normal'?); known: zeros, constant, uniform, normal, truncated-normal, " +
                    "uniform-fan-in, lecun-uniform, lecun-normal, glorot-uniform, glorot-normal, he-uniform, he-normal, orthogonal, sparse, " +
                    "identity, variance-scaling",
            ),
            Case("matrix initializer for a bias",
                base.layer(0) { it.copy(biasInit = orthogonal()) }, "model.layers[0].biasInit.name",
                "orthogonal needs a weight matrix; a bias is a vector (use zeros(), constant(v), normal(std), ...)",
            ),
            Case("sparse with more non-zeros than inputs",
                base.layer(2) { it.copy(weightInit = sparse(k = 100)) }, "model.layers[2].weightInit",
                "sparse gives each unit k=100 non-zero incoming weights, but this layer's units have only 16 inputs",
            ),
            Case("bad gain",
                base.layer(1) { it.copy(weightInit = glorotUniform(gain = -1.0)) }, "model.layers[1].weightInit.args.gain",
                "must be > 0 and finite, got -1.0",
            ),
            Case("unknown init argument",
                base.layer(0) { it.copy(biasInit = InitSpec("zeros", mapOf("value" to 1.0))) }, "model.layers[0].biasInit.args.value",
                "is unknown; zeros takes no arguments",
            ),
            Case("constant without value",
                base.layer(0) { it.copy(biasInit = InitSpec("constant")) }, "model.layers[0].biasInit.args.value",
                "is required",
            ),
            Case("infinite constant",
                base.layer(2) { it.copy(biasInit = constant(Double.POSITIVE_INFINITY)) }, "model.layers[2].biasInit.args.value",
                "must be finite, got Infinity",
            ),
            Case("zero learning rate", base.copy(optimizer = sgd(0.0)), "optimizer.lr", "must be > 0 and finite, got 0.0"),
            Case("NaN learning rate", base.copy(optimizer = sgd(Double.NaN)), "optimizer.lr", "must be > 0 and finite, got NaN"),
            Case("zero epochs", base.copy(train = TrainSpec(epochs = 0)), "train.epochs", "must be >= 1, got 0"),
            Case("zero batch", base.copy(train = TrainSpec(batchSize = 0)), "train.batchSize", "must be > 0, got 0"),
            Case("batch larger than the training set",
                base.copy(train = TrainSpec(batchSize = 20_000)), "train.batchSize",
                "20000 is larger than the training set (10000 examples)",
            ),
            Case("batch larger than the limited fashion set",
                fashion.copy(data = fashionMnist(trainLimit = 50)), "train.batchSize", "64 is larger than the training set (50 examples)",
            ),
            Case("zero evaluation batch",
                base.copy(train = TrainSpec(evalBatchSize = 0)), "train.evalBatchSize", "must be > 0, got 0",
            ),
        ) { (_, spec, path, message) ->
            SpecCompiler.validate(spec) shouldContainExactly listOf(SpecProblem(path, message))
            val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(spec) }
            e.message shouldContain "\n$path: $message"
        }
    }

    test("several problems are reported at once, in spec order, one per line") {
        val bad = base.copy(
            seed = -1,
            backend = "foo",
            data = shapeset(family = Basic, train = 10_000).copy(family = "circles"),
            model = ModelSpec(listOf(DenseSpec(32, "relu"), DenseSpec(16, "tanh"), DenseSpec(-4))),
            optimizer = sgd(Double.NaN),
            train = TrainSpec(batchSize = 20_000),
        )
        val problems = SpecCompiler.validate(bad)
        problems.map { it.path } shouldContainExactly listOf(
            "seed", "backend", "data.family", "model.layers[2].units", "optimizer.lr", "train.batchSize",
        )
        val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(bad) }
        e.problems shouldBe problems
        e.message shouldBe (
            listOf("experiment 'base' has 6 problems:") + listOf(
                "seed: must be >= 0, got -1",
                "backend: unknown backend 'foo'; available: $available",
                "data.family: unknown shapeset family 'circles' (known: basic, geometric)",
                "model.layers[2].units: must be > 0, got -4",
                "optimizer.lr: must be > 0 and finite, got NaN",
                "train.batchSize: 20000 is larger than the training set (10000 examples)",
            )
            ).joinToString("\n")
    }

    test("problems in several layers and initializers are all found") {
        val bad = base.copy(
            model = ModelSpec(
                listOf(
                    DenseSpec(0, "swish", InitSpec("he"), InitSpec("constant", mapOf("val" to 1.0))),
                    DenseSpec(16, "tanh", glorotUniform(Double.NaN)),
                    DenseSpec(1),
                ),
            ),
        )
        SpecCompiler.validate(bad).map { it.path } shouldContainExactlyInAnyOrder listOf(
            "model.layers[0].units",
            "model.layers[0].activation",
            "model.layers[0].weightInit.name",
            "model.layers[0].biasInit.args.val",
            "model.layers[0].biasInit.args.value",
            "model.layers[1].weightInit.args.gain",
            "model.layers[2].units",
        )
    }

    test("compile resolves names and keeps the spec") {
        val c = SpecCompiler.compile(base.copy(dtype = "float64", device = "cuda:2"))
        c.spec.name shouldBe "base"
        c.dtype shouldBe dev.gradus.engine.tensor.DType.FLOAT64
        c.device.toString() shouldBe "cuda:2"
        c.inputSize shouldBe 1024L
        c.numClasses shouldBe 3
        SpecCompiler.compile(fashion).inputSize shouldBe 784L
    }
})
