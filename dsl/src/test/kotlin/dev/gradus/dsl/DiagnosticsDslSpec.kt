package dev.gradus.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain

class DiagnosticsDslSpec : FunSpec({
    val base = experiment("diag") {
        seed = 5
        backend = "reference"
        data = shapeset(train = 120, test = 40, imageSize = 6)
        model { dense(10, tanh); dense(8, tanh); output(classes = 3) }
        optimizer = sgd(lr = 0.1)
        train {
            epochs = 2; batchSize = 20; evalBatchSize = 40
            diagnostics(everyEpochs = 1, batchSize = 32, jacobianExamples = 4)
        }
    }

    fun ExperimentSpec.diag(d: DiagnosticsSpec?) = copy(train = train.copy(diagnostics = d))

    test("train { diagnostics(...) } sets train.diagnostics; the default is none") {
        base.train.diagnostics shouldBe DiagnosticsSpec(everyEpochs = 1, batchSize = 32, jacobianExamples = 4)
        TrainBuilder().build().diagnostics shouldBe null
        TrainBuilder().apply { diagnostics() }.build().diagnostics shouldBe DiagnosticsSpec(1, 256, 16)
        TrainBuilder(base.train).build().diagnostics shouldBe base.train.diagnostics
    }

    test("JSON round trip; absent when null; old spec.json files without it still decode") {
        val json = SpecJson.encode(base)
        json shouldContain "\"diagnostics\""
        json shouldContain "\"jacobianExamples\": 4"
        SpecJson.decode(json) shouldBe base
        val none = base.diag(null)
        SpecJson.encode(none) shouldNotContain "diagnostics"
        SpecJson.decode(SpecJson.encode(none)) shouldBe none
        SpecJson.json.decodeFromString(DiagnosticsSpec.serializer(), "{\"everyEpochs\": 3}") shouldBe DiagnosticsSpec(everyEpochs = 3)
    }

    test("validation reports each bad field at its path") {
        SpecCompiler.validate(base).shouldBeEmpty()
        val bad = SpecCompiler.validate(base.diag(DiagnosticsSpec(everyEpochs = 0, batchSize = 0, jacobianExamples = -1)))
        bad.map { it.path } shouldContainExactlyInAnyOrder listOf(
            "train.diagnostics.everyEpochs", "train.diagnostics.batchSize", "train.diagnostics.jacobianExamples",
        )
        bad.first { it.path == "train.diagnostics.everyEpochs" }.message shouldBe "must be >= 1, got 0"
        val big = SpecCompiler.validate(base.diag(DiagnosticsSpec(batchSize = 121)))
        big shouldHaveSize 1
        big[0].path shouldBe "train.diagnostics.batchSize"
        big[0].message shouldContain "larger than the training set (120 examples)"
        // the validation hold-out shrinks what the probe batch may take
        val held = SpecCompiler.validate(base.copy(train = base.train.copy(validationFraction = 0.25, diagnostics = DiagnosticsSpec(batchSize = 100))))
        held.map { it.path } shouldBe listOf("train.diagnostics.batchSize")
        held[0].message shouldContain "90 examples after holding out 30"
        SpecCompiler.validate(base.diag(DiagnosticsSpec(batchSize = 8, jacobianExamples = 9))).map { it.path } shouldBe
            listOf("train.diagnostics.jacobianExamples")
        SpecCompiler.validate(base.diag(DiagnosticsSpec(batchSize = 8, jacobianExamples = 0))).shouldBeEmpty()
        shouldThrow<InvalidSpecException> { SpecCompiler.compile(base.diag(DiagnosticsSpec(everyEpochs = -2))) }
            .message shouldContain "train.diagnostics.everyEpochs: must be >= 1, got -2"
    }

    test("run carries a snapshot per recorded epoch, the first at initialization, and training is unchanged") {
        val seen = mutableListOf<Int>()
        val r = SpecCompiler.compile(base).run(onDiagnostics = { seen += it.epoch() })
        r.diagnostics.map { it.epoch() } shouldBe listOf(0, 1, 2)
        seen shouldBe listOf(0, 1, 2)
        r.diagnostics.forEach { it.layers() shouldHaveSize 3 }
        r.diagnostics[0].step() shouldBe 0L
        r.diagnostics[2].step() shouldBe r.result.steps()
        val plain = SpecCompiler.compile(base.diag(null)).run()
        plain.diagnostics.shouldBeEmpty()
        plain.result.epochs().map { listOf(it.trainLoss(), it.testLoss(), it.testAccuracy()) } shouldBe
            r.result.epochs().map { listOf(it.trainLoss(), it.testLoss(), it.testAccuracy()) }
    }
})

