package dev.gradus.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

class DslBuilderSpec : FunSpec({
    test("the quick-start declaration builds the expected spec") {
        val spec = experiment("quickstart") {
            seed = 7
            data = shapeset(family = Basic, train = 10_000, test = 2_000)
            model { dense(256, relu); dense(256, relu); output(classes = 3) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 5; batchSize = 64 }
        }
        val hidden = DenseSpec(256, "relu", InitSpec("glorot-uniform", mapOf("gain" to 1.0)), InitSpec("zeros"))
        spec shouldBe ExperimentSpec(
            version = 1,
            name = "quickstart",
            seed = 7,
            backend = "pytorch",
            device = "cpu",
            dtype = "float32",
            data = ShapesetSpec(family = "basic", train = 10_000, test = 2_000),
            model = ModelSpec(listOf(hidden, hidden, DenseSpec(3, "identity"))),
            optimizer = SgdSpec(0.1),
            train = TrainSpec(epochs = 5, batchSize = 64, shuffle = true, evalBatchSize = 1000),
        )
        SpecCompiler.validate(spec) shouldBe emptyList()
    }

    test("every option reaches the spec") {
        val spec = experiment("all-options") {
            seed = 3
            backend = "reference"
            device = "cuda:1"
            dtype = "float64"
            data = shapeset(
                family = Geometric, train = 500, test = 100, imageSize = 16, minSize = 0.3, maxSize = 0.9,
                rotate = false, inversionProbability = 0.5, greyLevels = false,
            )
            model {
                weightInit = glorotUniform(gain = 2.0)
                biasInit = constant(0.1)
                dense(32, tanh)
                dense(16, sigmoid, init = glorotUniform(0.5), bias = zeros())
                dense(8, softsign)
                dense(8, softplus)
                dense(8, identity)
                output(classes = 3, bias = constant(-0.5))
            }
            optimizer = sgd(lr = 0.02)
            train { epochs = 2 }
            train { batchSize = 10; shuffle = false; evalBatchSize = 50 } // keeps epochs = 2
        }
        spec.backend shouldBe "reference"
        spec.device shouldBe "cuda:1"
        spec.dtype shouldBe "float64"
        spec.data shouldBe ShapesetSpec("geometric", 500, 100, 16, 0.3, 0.9, false, 0.5, false)
        spec.model.layers.map { (it as DenseSpec).activation } shouldContainExactly
            listOf("tanh", "sigmoid", "softsign", "softplus", "identity", "identity")
        val layers = spec.model.layers.map { it as DenseSpec }
        layers[0].weightInit shouldBe InitSpec("glorot-uniform", mapOf("gain" to 2.0))
        layers[0].biasInit shouldBe InitSpec("constant", mapOf("value" to 0.1))
        layers[1].weightInit shouldBe InitSpec("glorot-uniform", mapOf("gain" to 0.5))
        layers[1].biasInit shouldBe InitSpec("zeros")
        layers[5].units shouldBe 3
        layers[5].biasInit shouldBe InitSpec("constant", mapOf("value" to -0.5))
        spec.train shouldBe TrainSpec(epochs = 2, batchSize = 10, shuffle = false, evalBatchSize = 50)
        SpecCompiler.validate(spec) shouldBe emptyList()
    }

    test("fashionMnist keeps its limits and folder") {
        fashionMnist(trainLimit = 1000, testLimit = 200, dir = "/data/fm") shouldBe
            FashionMnistSpec(dir = "/data/fm", trainLimit = 1000, testLimit = 200)
        fashionMnist() shouldBe FashionMnistSpec()
    }

    test("a prebuilt model or train spec can be assigned, and model { } replaces the model") {
        val mlp = ModelSpec(listOf(DenseSpec(10)))
        val spec = experiment("assigned") {
            data = fashionMnist()
            model { dense(5, relu) }
            model = mlp
            optimizer = sgd(0.1)
            train = TrainSpec(epochs = 1)
        }
        spec.model shouldBe mlp
        spec.train.epochs shouldBe 1
    }

    test("missing data, model and optimizer are all reported by name") {
        val e = shouldThrow<InvalidSpecException> { experiment("empty") { seed = 1 } }
        e.problems.map { it.path } shouldContainExactly listOf("data", "model", "optimizer")
        e.message shouldContain "experiment 'empty' has 3 problems:"
        e.message shouldContain "\noptimizer: is not set (e.g. optimizer = sgd(lr = 0.1))"
    }

    test("the activation and family values carry the engine's names") {
        listOf(identity, relu, tanh, sigmoid, softsign, softplus).map { it.id() } shouldContainExactly
            listOf("identity", "relu", "tanh", "sigmoid", "softsign", "softplus")
        Basic.id shouldBe "basic"
        Geometric.id shouldBe "geometric"
    }
})
