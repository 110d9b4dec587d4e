package dev.gradus.dsl

import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.reference.ReferenceBackend
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import kotlin.math.exp

/** The new model layers, auxiliary heads, losses and label-statistics biases through the DSL. */
class LayersDslSpec : FunSpec({
    val shapes = shapeset(train = 200, test = 60, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false)

    /** Every new layer kind in one small model (64 inputs). */
    val everything = experiment("layers") {
        seed = 5
        backend = "reference"
        dtype = "float64"
        this.data = shapes
        model {
            dense(32, relu)
            batchNorm()
            dropout(0.2)
            residual { dense(32, relu); dense(32) }
            residual(projection = true, activation = tanh) { dense(16, tanh) }
            highway(relu)
            elman(stepFeatures = 4, hidden = 12)
            auxiliaryHead(after = 1, weight = 0.3)
            output(classes = 3)
        }
        optimizer = sgd(lr = 0.05)
        train { epochs = 2; batchSize = 20; evalBatchSize = 30 }
    }

    fun ExperimentSpec.withModel(f: (ModelSpec) -> ModelSpec) = copy(model = f(model))
    fun ExperimentSpec.withLayers(vararg layers: LayerSpec) = copy(model = model.copy(layers = layers.toList(), heads = emptyList()))

    context("builders") {
        test("each layer builder appends the expected spec") {
            val g = InitSpec.glorotUniform()
            everything.model.layers shouldContainExactly listOf(
                DenseSpec(32, "relu"),
                BatchNormSpec(0.1, 1e-5),
                DropoutSpec(0.2),
                ResidualSpec(listOf(DenseSpec(32, "relu"), DenseSpec(32)), projection = false, activation = "identity"),
                ResidualSpec(listOf(DenseSpec(16, "tanh")), projection = true, activation = "tanh"),
                HighwaySpec("relu", g, InitSpec.constant(1.0)),
                ElmanSpec(4, 12, g, InitSpec("orthogonal"), InitSpec.zeros()),
                DenseSpec(3),
            )
            everything.model.heads shouldBe listOf(AuxiliaryHeadSpec(after = 1, weight = 0.3, weightInit = g))
            everything.model.transfers shouldBe emptyList()
            everything.pretrain shouldBe null
            everything.train.loss shouldBe LossSpec.SOFTMAX_CROSS_ENTROPY
        }

        test("a residual body takes the model's default initializers and may nest") {
            val m = ModelBuilder().apply {
                weightInit = normal(std = 0.1)
                biasInit = InitSpec.constant(0.5)
                batchNorm(momentum = 0.2, epsilon = 1e-3)
                residual { residual { dense(8, relu) }; highway(tanh, gateBias = InitSpec.constant(-1.0)) }
                output(classes = 3)
            }.build()
            m.layers[0] shouldBe BatchNormSpec(0.2, 1e-3)
            val outer = m.layers[1] as ResidualSpec
            val inner = outer.body[0] as ResidualSpec
            inner.body shouldBe listOf(DenseSpec(8, "relu", normal(std = 0.1), InitSpec.constant(0.5)))
            outer.body[1] shouldBe HighwaySpec("tanh", normal(std = 0.1), InitSpec.constant(-1.0))
        }

        test("losses and classFrequencies()") {
            softmaxCrossEntropy shouldBe LossSpec.SOFTMAX_CROSS_ENTROPY
            sigmoidCrossEntropy shouldBe LossSpec.SIGMOID_CROSS_ENTROPY
            meanSquaredError shouldBe LossSpec.MEAN_SQUARED_ERROR
            LossSpec.entries.map { it.id } shouldBe listOf("softmax-cross-entropy", "sigmoid-cross-entropy", "mean-squared-error")
            classFrequencies() shouldBe InitSpec("class-frequencies")
            val s = everything.copy(train = TrainBuilder(everything.train).apply { loss = meanSquaredError }.build())
            s.train.loss shouldBe LossSpec.MEAN_SQUARED_ERROR
            s.train.epochs shouldBe 2
        }
    }

    context("JSON") {
        test("every new layer kind, nested residuals, heads and the loss round-trip") {
            val nested = everything.copy(
                model = everything.model.copy(
                    layers = listOf(
                        DenseSpec(16, "relu"),
                        ResidualSpec(listOf(ResidualSpec(listOf(DenseSpec(16, "tanh"), DropoutSpec(0.5))), BatchNormSpec(0.3, 1e-4)),
                            projection = true, activation = "relu", projectionInit = InitSpec.glorotUniform(2.0)),
                        HighwaySpec("tanh", InitSpec.glorotUniform(0.5), InitSpec.constant(-2.0)),
                        ElmanSpec(2, 5, recurrentInit = InitSpec("orthogonal", mapOf("gain" to 1.5))),
                        DenseSpec(3, biasInit = classFrequencies()),
                    ),
                    heads = listOf(AuxiliaryHeadSpec(0), AuxiliaryHeadSpec(2, 0.7, InitSpec.glorotUniform(0.5))),
                ),
                train = everything.train.copy(loss = LossSpec.SIGMOID_CROSS_ENTROPY),
            )
            for (s in listOf(everything, nested, nested.copy(train = nested.train.copy(loss = LossSpec.MEAN_SQUARED_ERROR)))) {
                SpecJson.decode(SpecJson.encode(s)) shouldBe s
            }
            val json = SpecJson.encode(nested)
            for (type in listOf("batch-norm", "dropout", "residual", "highway", "elman")) json shouldContain "\"type\": \"$type\""
            json shouldContain "\"heads\""
            json shouldContain "\"loss\": \"sigmoid-cross-entropy\""
            json shouldContain "\"name\": \"class-frequencies\""
        }

        test("a spec without the new optional fields has no heads, transfers or pretrain keys") {
            val plain = experiment("plain") {
                this.data = shapeset(train = 100, test = 50)
                model { dense(8, relu); output(classes = 3) }
                optimizer = sgd(lr = 0.1)
            }
            val json = SpecJson.encode(plain)
            json shouldNotContain "\"heads\""
            json shouldNotContain "\"transfers\""
            json shouldNotContain "\"pretrain\""
            json shouldNotContain "\"dataDriven\""
            json shouldNotContain "\"diagnostics\""
            // the loss is written like every other field (records do not depend on this build's defaults) ...
            json shouldContain "\"loss\": \"softmax-cross-entropy\""
            // ... and a record written before it existed reads as softmax cross-entropy
            val tree = SpecJson.json.parseToJsonElement(json).jsonObject
            val old = JsonObject(tree + ("train" to JsonObject(tree.getValue("train").jsonObject - "loss")))
            old.toString() shouldNotContain "\"loss\""
            SpecJson.decode(old.toString()) shouldBe plain
            SpecJson.decode(SpecJson.encode(plain)) shouldBe plain
        }

        test("small hand-written JSON layers take their defaults") {
            val j = SpecJson.json
            j.decodeFromString(LayerSpec.serializer(), """{"type": "batch-norm"}""") shouldBe BatchNormSpec()
            j.decodeFromString(LayerSpec.serializer(), """{"type": "dropout", "rate": 0.25}""") shouldBe DropoutSpec(0.25)
            j.decodeFromString(LayerSpec.serializer(), """{"type": "residual", "body": [{"type": "dense", "units": 4}]}""") shouldBe
                ResidualSpec(listOf(DenseSpec(4)))
            j.decodeFromString(LayerSpec.serializer(), """{"type": "elman", "stepFeatures": 28, "hidden": 64}""") shouldBe ElmanSpec(28, 64)
            j.decodeFromString(AuxiliaryHeadSpec.serializer(), """{"after": 2}""") shouldBe AuxiliaryHeadSpec(2, 0.3)
        }
    }

    context("validation") {
        val base = everything.withLayers(DenseSpec(16, "relu"), DenseSpec(3))

        fun problems(s: ExperimentSpec) = SpecCompiler.validate(s)

        test("the full model is valid") {
            problems(everything) shouldBe emptyList()
        }

        test("dropout rate 1.0") {
            problems(base.withLayers(DenseSpec(16, "relu"), DropoutSpec(1.0), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[1].rate", "must be in [0, 1) (the drop probability), got 1.0"),
            )
        }

        test("batch-norm epsilon 0 and momentum out of range") {
            problems(base.withLayers(BatchNormSpec(epsilon = 0.0), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].epsilon", "must be > 0 and finite, got 0.0"),
            )
            problems(base.withLayers(BatchNormSpec(momentum = 1.5), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].momentum", "must be in [0, 1], got 1.5"),
            )
        }

        test("residual width mismatch without projection, and a bad unit inside a nested body") {
            problems(base.withLayers(ResidualSpec(listOf(DenseSpec(16, "relu"))), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].projection", "the body turns 64 values into 16, so the identity skip does not fit; set projection = true"),
            )
            problems(base.withLayers(ResidualSpec(listOf(DenseSpec(16, "relu")), projection = true), DenseSpec(3))) shouldBe emptyList()
            problems(
                base.withLayers(DenseSpec(8), ResidualSpec(listOf(DenseSpec(8), ResidualSpec(listOf(DenseSpec(0))))), DenseSpec(3)),
            ).map { it.path } shouldContainExactly listOf("model.layers[1].body[1].body[0].units")
            problems(base.withLayers(ResidualSpec(emptyList()), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].body", "a residual block needs at least one layer"),
            )
        }

        test("elman stepFeatures not dividing the input") {
            problems(base.withLayers(ElmanSpec(stepFeatures = 5, hidden = 8), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].stepFeatures", "the layer receives 64 values per example, not a multiple of 5"),
            )
            problems(base.withLayers(ElmanSpec(stepFeatures = 8, hidden = 0), DenseSpec(3))) shouldContainExactly listOf(
                SpecProblem("model.layers[0].hidden", "must be > 0, got 0"),
            )
        }

        test("a head after the last layer, and a negative head weight") {
            problems(base.withModel { it.copy(heads = listOf(AuxiliaryHeadSpec(after = 1))) }) shouldContainExactly listOf(
                SpecProblem("model.heads[0].after", "must name an intermediate layer, 0..0, got 1"),
            )
            problems(base.withModel { it.copy(heads = listOf(AuxiliaryHeadSpec(0), AuxiliaryHeadSpec(0, weight = -1.0))) }) shouldContainExactly listOf(
                SpecProblem("model.heads[1].weight", "must be >= 0 and finite, got -1.0"),
            )
        }

        test("the last layer must be dense") {
            problems(base.withLayers(DenseSpec(16, "relu"), DropoutSpec(0.1))) shouldContainExactly listOf(
                SpecProblem("model.layers[1]", "the last layer gives the outputs and must be a dense layer (end with output(classes = N))"),
            )
        }

        test("classFrequencies() only as the output bias") {
            problems(base.withLayers(DenseSpec(16, "relu", biasInit = classFrequencies()), DenseSpec(3))).map { it.path } shouldContainExactly
                listOf("model.layers[0].biasInit.name")
            problems(base.withLayers(DenseSpec(16, "relu"), DenseSpec(3, biasInit = classFrequencies()))) shouldBe emptyList()
        }

        test("several problems are reported at once, in spec order") {
            val bad = base.copy(
                model = ModelSpec(
                    listOf(BatchNormSpec(epsilon = 0.0), DropoutSpec(1.0), ResidualSpec(listOf(DenseSpec(16))), ElmanSpec(5, 4), DenseSpec(3)),
                    heads = listOf(AuxiliaryHeadSpec(after = 4)),
                ),
            )
            val p = problems(bad)
            p.map { it.path } shouldContainExactly listOf(
                "model.layers[0].epsilon",
                "model.layers[1].rate",
                "model.layers[2].projection",
                "model.layers[3].stepFeatures",
                "model.heads[0].after",
            )
            val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(bad) }
            e.problems shouldBe p
            e.message shouldContain "has 5 problems"
        }
    }

    context("training on the reference backend") {
        test("a model with every new layer trains; the loss is finite; the head's parameters exist and change") {
            val r = SpecCompiler.compile(everything).run()
            r.result.epochs().size shouldBe 2
            r.result.epochs().all { it.trainLoss().isFinite() && it.testLoss().isFinite() } shouldBe true
            r.stages.map { it.name() } shouldBe listOf("train")
            val p = r.parameters!!.entries()
            for (path in listOf(
                "layers.1.scale", "layers.1.shift", "layers.3.body.0.weight", "layers.4.projection.weight",
                "layers.5.gateWeight", "layers.5.gateBias", "layers.6.inputWeight", "layers.6.recurrentWeight",
                "heads.0.0.weight", "heads.0.0.bias",
            )) {
                (path in p) shouldBe true
            }
            p.getValue("heads.0.0.weight").shape().toList() shouldBe listOf(3L, 32L)
            // the head trained: its weights moved away from their initial values
            val c = SpecCompiler.compile(everything)
            val split = c.loadData()
            val initial = c.buildModel(split.train().featureCount(), split.train().labels())
                .initialize(ReferenceBackend(), DType.FLOAT64, RandomStreams(everything.seed).stream(RandomStreams.INIT))
                .use { it.get("heads.0.0.weight").value().toDoubles() }
            p.getValue("heads.0.0.weight").values().toList() shouldNotBe initial.toList()
            // a head of weight 0 adds nothing to the objective, so it keeps its initial values
            val idle = everything.copy(model = everything.model.copy(heads = listOf(AuxiliaryHeadSpec(1, weight = 0.0))))
            SpecCompiler.compile(idle).run().parameters!!.entries().getValue("heads.0.0.weight").values().toList() shouldBe initial.toList()
        }

        test("a run repeated with the same seed is bit-identical (dropout included)") {
            val a = SpecCompiler.compile(everything).run().parameters!!.entries()
            val b = SpecCompiler.compile(everything).run().parameters!!.entries()
            a.keys shouldBe b.keys
            for ((k, v) in a) b.getValue(k).values().toList() shouldBe v.values().toList()
            val other = SpecCompiler.compile(everything.copy(seed = 6)).run().parameters!!.entries()
            other.getValue("layers.0.weight").values().toList() shouldNotBe a.getValue("layers.0.weight").values().toList()
        }
    }

    context("losses and label-statistics biases") {
        val small = experiment("freq") {
            seed = 2
            backend = "reference"
            dtype = "float64"
            this.data = shapeset(train = 150, test = 30, imageSize = 8)
            model { dense(8, tanh); output(classes = 3, bias = classFrequencies()) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 1; batchSize = 10 }
        }

        fun biasesAndFrequencies(s: ExperimentSpec): Pair<DoubleArray, DoubleArray> {
            val c = SpecCompiler.compile(s)
            val labels = c.loadData().train().labels()
            val freq = DoubleArray(c.numClasses).also { f -> labels.forEach { f[it] += 1.0 / labels.size } }
            val b = c.buildModel(Math.toIntExact(c.inputSize), labels)
                .initialize(ReferenceBackend(), DType.FLOAT64, RandomStreams(s.seed).stream(RandomStreams.INIT))
                .use { it.get("layers.1.bias").value().toDoubles() }
            return b to freq
        }

        test("sigmoid cross-entropy: sigma(b_c) is the class frequency") {
            val (b, freq) = biasesAndFrequencies(small.copy(train = small.train.copy(loss = LossSpec.SIGMOID_CROSS_ENTROPY)))
            freq.all { it > 0 } shouldBe true
            for (c in b.indices) 1 / (1 + exp(-b[c])) shouldBe (freq[c] plusOrMinus 1e-9)
        }

        test("mean squared error: b_c is the class frequency") {
            val (b, freq) = biasesAndFrequencies(small.copy(train = small.train.copy(loss = LossSpec.MEAN_SQUARED_ERROR)))
            for (c in b.indices) b[c] shouldBe (freq[c] plusOrMinus 1e-9)
        }

        test("softmax cross-entropy: softmax(b) is the class frequencies") {
            val (b, freq) = biasesAndFrequencies(small)
            val z = b.sumOf { exp(it) }
            for (c in b.indices) exp(b[c]) / z shouldBe (freq[c] plusOrMinus 1e-9)
        }

        test("buildModel without labels refuses class-frequency biases") {
            val e = shouldThrow<IllegalStateException> { SpecCompiler.compile(small).buildModel() }
            e.message shouldContain "class-frequency biases need the training labels"
        }

        test("each loss trains to a finite loss") {
            for (loss in LossSpec.entries) {
                val r = SpecCompiler.compile(small.copy(train = small.train.copy(loss = loss))).run()
                r.result.last().trainLoss().isFinite() shouldBe true
                r.result.last().testLoss().isFinite() shouldBe true
            }
        }
    }

    test("data-driven checkGradients: one entry per dense layer, the top one at ratio 1") {
        val s = experiment("dd-grad") {
            seed = 3
            backend = "reference"
            dtype = "float64"
            this.data = shapes
            model {
                dense(24, tanh, init = normal(std = 0.01))
                dense(24, tanh, init = normal(std = 0.01))
                output(classes = 3)
                dataDriven(targetStd = 1.0, batchSize = 64, checkGradients = true, gradientTolerance = 2.0)
            }
            optimizer = sgd(lr = 0.05)
            train { epochs = 1; batchSize = 20 }
        }
        s.model.dataDriven!!.checkGradients shouldBe true
        SpecJson.decode(SpecJson.encode(s)) shouldBe s
        val r = SpecCompiler.compile(s).run()
        r.initGradients.map { it.layerIndex() } shouldBe listOf(0, 1, 2)
        r.initGradients.last().ratio() shouldBe 1.0
        r.initGradients.all { it.gradientStd() > 0 && it.gradientStd().isFinite() } shouldBe true
        // without the check: none
        val plain = SpecCompiler.compile(s.copy(model = s.model.copy(dataDriven = s.model.dataDriven!!.copy(checkGradients = false)))).run()
        plain.initGradients shouldBe emptyList()
        plain.dataDrivenScales.size shouldBe 3
    }
})
