package dev.gradus.dsl

import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.reference.ReferenceBackend
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlin.math.abs
import kotlin.math.sqrt

class DataDrivenScalingSpec : FunSpec({
    val base = experiment("dd") {
        seed = 3
        backend = "reference"
        data = shapeset(train = 200, test = 60, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false, greyLevels = false)
        model {
            dense(24, tanh, init = normal(std = 0.01))
            dense(24, tanh, init = normal(std = 0.01))
            output(classes = 3)
            dataDriven(targetStd = 1.0, batchSize = 64)
        }
        optimizer = sgd(lr = 0.05)
        train { epochs = 1; batchSize = 20; evalBatchSize = 30 }
    }

    fun ExperimentSpec.dd(d: DataDrivenSpec?) = copy(model = model.copy(dataDriven = d))

    test("the builder sets model.dataDriven; the default is none") {
        base.model.dataDriven shouldBe DataDrivenSpec(targetStd = 1.0, batchSize = 64)
        ModelBuilder().apply { output(classes = 3) }.build().dataDriven shouldBe null
        ModelBuilder().apply { output(classes = 3); dataDriven(0.5, 0.1, 3, "activation", 32) }.build().dataDriven shouldBe
            DataDrivenSpec(0.5, 0.1, 3, "activation", 32)
    }

    test("JSON round trip; absent when null, defaults filled when fields are left out") {
        val json = SpecJson.encode(base)
        json shouldContain "\"dataDriven\""
        json shouldContain "\"measure\": \"pre-activation\""
        SpecJson.decode(json) shouldBe base
        val none = base.dd(null)
        SpecJson.encode(none) shouldNotContain "dataDriven"
        SpecJson.decode(SpecJson.encode(none)) shouldBe none
        SpecJson.json.decodeFromString(DataDrivenSpec.serializer(), "{\"targetStd\": 2.0}") shouldBe DataDrivenSpec(targetStd = 2.0)
    }

    test("validation reports each bad field at its path") {
        SpecCompiler.validate(base) shouldBe emptyList()
        val d = DataDrivenSpec(batchSize = 64)
        listOf(
            d.copy(targetStd = 0.0) to SpecProblem("model.dataDriven.targetStd", "must be > 0 and finite, got 0.0"),
            d.copy(targetStd = Double.NaN) to SpecProblem("model.dataDriven.targetStd", "must be > 0 and finite, got NaN"),
            d.copy(targetStd = Double.POSITIVE_INFINITY) to SpecProblem("model.dataDriven.targetStd", "must be > 0 and finite, got Infinity"),
            d.copy(tolerance = 0.0) to SpecProblem("model.dataDriven.tolerance", "must be in (0, 1) (relative to targetStd), got 0.0"),
            d.copy(maxIterations = 0) to SpecProblem("model.dataDriven.maxIterations", "must be >= 1, got 0"),
            d.copy(measure = "post-activation") to SpecProblem(
                "model.dataDriven.measure",
                "unknown data-driven measure 'post-activation'; known: pre-activation, activation",
            ),
            d.copy(batchSize = 201) to SpecProblem("model.dataDriven.batchSize", "201 is larger than the training set (200 examples)"),
            d.copy(batchSize = 1) to SpecProblem("model.dataDriven.batchSize", "must be >= 2, got 1"),
        ).forEach { (dd, problem) -> SpecCompiler.validate(base.dd(dd)) shouldContainExactly listOf(problem) }
        SpecCompiler.validate(base.dd(d.copy(measure = "activation", batchSize = 200))) shouldBe emptyList()
        val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(base.dd(d.copy(targetStd = -1.0, maxIterations = -2))) }
        e.problems.map { it.path } shouldContainExactly listOf("model.dataDriven.targetStd", "model.dataDriven.maxIterations")
    }

    test("a run scales the weights before training: the first layer's pre-activation std is the target") {
        val c = SpecCompiler.compile(base)
        val result = c.run()
        val scales = result.dataDrivenScales
        scales.map { it.layerIndex() } shouldContainExactly listOf(0, 1, 2)
        scales.all { it.converged() } shouldBe true
        abs(scales[0].stdAfter() - 1.0) shouldBeLessThanOrEqual 0.05
        scales[0].stdBefore() shouldBeLessThanOrEqual 0.5

        // independently: the same initialization, the same procedure, then the first layer by hand
        val split = c.loadData()
        val model = c.buildModel(split.train().featureCount(), split.train().labels())
        ReferenceBackend().use { be ->
            model.initialize(be, c.dtype, RandomStreams(base.seed).stream(RandomStreams.INIT)).use { params ->
                val x = split.train().head(64).features()
                c.dataDrivenScaling()!!.apply(be, model, params, x, 64).layers() shouldBe scales
                val w = params.get("layers.0.weight").value().toDoubles()
                val b = params.get("layers.0.bias").value().toDoubles()
                val n = model.inputSize()
                val z = DoubleArray(64 * 24) { k ->
                    val row = k / 24
                    val unit = k % 24
                    var s = b[unit]
                    for (j in 0 until n) s += x[row * n + j] * w[unit * n + j]
                    s
                }
                val mean = z.average()
                val std = sqrt(z.sumOf { (it - mean) * (it - mean) } / z.size)
                abs(std - 1.0) shouldBeLessThanOrEqual 0.05
                abs(std - scales[0].stdAfter()) shouldBeLessThanOrEqual 1e-4
            }
        }
        // without dataDriven, nothing is recorded
        SpecCompiler.compile(base.dd(null)).run().dataDrivenScales shouldBe emptyList()
        result.dataDrivenScales.map { it.toString() }.first() shouldContain "layers.0: scale="
    }
})
