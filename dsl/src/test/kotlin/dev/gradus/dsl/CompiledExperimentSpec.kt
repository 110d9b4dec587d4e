package dev.gradus.dsl

import dev.gradus.engine.data.DataException
import dev.gradus.engine.init.Constant
import dev.gradus.engine.init.GlorotUniform
import dev.gradus.engine.nn.Dense
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.StepEvent
import dev.gradus.engine.train.TrainingListener
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

class CompiledExperimentSpec : FunSpec({
    val small = experiment("small") {
        seed = 5
        backend = "reference"
        data = shapeset(train = 300, test = 90, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false, greyLevels = false)
        model {
            dense(16, tanh, init = glorotUniform(gain = 2.0), bias = constant(0.1))
            output(classes = 3)
        }
        optimizer = sgd(lr = 0.1)
        train { epochs = 2; batchSize = 10; evalBatchSize = 32 }
    }

    test("buildModel maps each spec layer to one dense layer with its activation") {
        val c = SpecCompiler.compile(small)
        val model = c.buildModel()
        model.inputSize() shouldBe 64
        model.outputSize() shouldBe 3
        val layers = model.layers()
        layers.size shouldBe 2
        layers[0] shouldBe Dense(64, 16, true, GlorotUniform(2.0), Constant(0.1), tanh)
        layers[1] shouldBe Dense(16, 3, true, GlorotUniform(1.0), Constant.ZEROS)
        model.initialize(dev.gradus.engine.tensor.reference.ReferenceBackend(), dev.gradus.engine.tensor.DType.FLOAT64,
            dev.gradus.engine.random.RandomStream("init", 1)).paths() shouldBe
            listOf("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")
        c.trainingConfig().stage() shouldBe "train"
        c.trainingConfig().checkGradients() shouldBe true
        c.trainingConfig().batchSize() shouldBe 10
    }

    test("loadData generates the declared shapes from the seed, identically each time") {
        val c = SpecCompiler.compile(small)
        val a = c.loadData()
        val b = c.loadData()
        a.train().size() shouldBe 300
        a.test().size() shouldBe 90
        a.train().featureCount() shouldBe 64
        a.train().features().contentEquals(b.train().features()) shouldBe true
        val other = SpecCompiler.compile(small.copy(seed = 6)).loadData()
        other.train().features().contentEquals(a.train().features()) shouldBe false
    }

    test("missing Fashion-MNIST files fail with a clear DataException before any backend is made") {
        val dir = tempdir()
        val spec = small.copy(data = fashionMnist(trainLimit = 100, dir = dir.path), model = ModelSpec(listOf(DenseSpec(10))))
        val e = shouldThrow<DataException> { SpecCompiler.compile(spec).run() }
        e.message shouldContain "experiment 'small', data (fashion-mnist): Fashion-MNIST file not found: ${dir.path}"
        e.message shouldContain "GRADUS_DATA"
    }

    test("run trains on the reference backend, reports to listeners and closes cleanly") {
        val epochs = mutableListOf<EpochMetrics>()
        var steps = 0
        val listener = object : TrainingListener {
            override fun onStep(event: StepEvent) {
                steps++
            }

            override fun onEpoch(metrics: EpochMetrics) {
                epochs += metrics
            }
        }
        val r = SpecCompiler.compile(small).run(listeners = listOf(listener))
        r.spec shouldBe small
        r.backendDescription shouldContain "reference"
        r.parameterCount shouldBe (64 * 16 + 16 + 16 * 3 + 3).toLong()
        r.result.steps() shouldBe 60L
        steps shouldBe 60
        epochs.map { it.epoch() } shouldContainExactly listOf(1, 2)
        epochs.forEach { it.trainLoss().isFinite() shouldBe true; it.testLoss().isFinite() shouldBe true }
        r.finalTestAccuracy shouldBeGreaterThan 0.5
    }

    test("run rejects an unknown backend override and bad thread counts") {
        val c = SpecCompiler.compile(small)
        shouldThrow<IllegalArgumentException> { c.run(backendOverride = "nope") }.message shouldContain "unknown backend 'nope'"
        shouldThrow<IllegalArgumentException> { c.run(threads = 0) }.message shouldContain "threads must be >= 1"
    }
})
