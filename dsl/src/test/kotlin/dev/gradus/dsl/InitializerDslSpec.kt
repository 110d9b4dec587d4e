package dev.gradus.dsl

import dev.gradus.engine.random.RandomStream
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.reference.ReferenceBackend
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe

/** The initializer library through the DSL: names, layer gains, and what the engine builds from them. */
class InitializerDslSpec : FunSpec({
    fun spec(vararg layers: DenseSpec) = ExperimentSpec(
        name = "init",
        data = shapeset(family = Basic, train = 100, test = 10, imageSize = 8),
        model = ModelSpec(layers.toList()),
        optimizer = sgd(0.1),
    )

    test("layer gains are recorded as arguments the registry understands") {
        orthogonal(gain = fromActivation) shouldBe InitSpec("orthogonal", mapOf("gainFromActivation" to 1.0))
        heNormal().withGain(randomWalk) shouldBe InitSpec("he-normal", mapOf("gainRandomWalk" to 1.0))
        orthogonal(2.0).withGain(fromActivation) shouldBe InitSpec("orthogonal", mapOf("gainFromActivation" to 1.0))
        sparse(k = 3) shouldBe InitSpec("sparse", mapOf("k" to 3.0, "scale" to 1.0))
    }

    test("an orthogonal tanh layer with the activation's gain gets W·Wᵀ = (5/3)² I") {
        val s = spec(DenseSpec(16, "tanh", orthogonal(gain = fromActivation), constant(0.1)), DenseSpec(3))
        SpecCompiler.validate(s) shouldBe emptyList()
        val params = SpecCompiler.compile(s).buildModel().initialize(ReferenceBackend(), DType.FLOAT64, RandomStream("init", 1))
        val w = params.get("layers.0.weight").value().toDoubles() // [16, 64], rows orthogonal
        val g2 = (5.0 / 3) * (5.0 / 3)
        for (i in 0 until 16) {
            for (j in 0 until 16) {
                var dot = 0.0
                for (k in 0 until 64) dot += w[i * 64 + k] * w[j * 64 + k]
                dot shouldBe ((if (i == j) g2 else 0.0) plusOrMinus 1e-12)
            }
        }
        params.get("layers.0.bias").value().toDoubles().toList() shouldBe List(16) { 0.1 }
    }

    test("sparse gives exactly k non-zeros per unit through the spec") {
        val s = spec(DenseSpec(10, "relu", sparse(k = 5)), DenseSpec(3))
        val w = SpecCompiler.compile(s).buildModel().initialize(ReferenceBackend(), DType.FLOAT64, RandomStream("init", 2))
            .get("layers.0.weight").value().toDoubles()
        for (row in 0 until 10) (0 until 64).count { w[row * 64 + it] != 0.0 } shouldBe 5
    }

    test("output biases from class frequencies: softmax(b) reproduces the training labels' frequencies") {
        val s = spec(DenseSpec(10, "relu"), DenseSpec(3, biasInit = classFrequencies()))
        SpecCompiler.validate(s) shouldBe emptyList()
        val c = SpecCompiler.compile(s)
        val train = c.loadData().train()
        val b = c.buildModel(train.featureCount(), train.labels())
            .initialize(ReferenceBackend(), DType.FLOAT64, RandomStream("init", 3)).get("layers.1.bias").value().toDoubles()
        val e = b.map { kotlin.math.exp(it) }
        val counts = train.classCounts()
        for (k in 0 until 3) (e[k] / e.sum()) shouldBe (counts[k].toDouble() / train.size() plusOrMinus 1e-12)
    }

    test("class frequencies are refused anywhere but the output bias") {
        val s = spec(DenseSpec(10, "relu", biasInit = classFrequencies()), DenseSpec(3))
        SpecCompiler.validate(s).map { it.path } shouldBe listOf("model.layers[0].biasInit.name")
        SpecCompiler.validate(spec(DenseSpec(10, "relu"), DenseSpec(3, weightInit = classFrequencies()))).map { it.path } shouldBe
            listOf("model.layers[1].weightInit.name")
    }
})
