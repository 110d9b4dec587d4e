package dev.gradus.dsl

import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.reference.ReferenceBackend
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files

/** Staged training through the DSL: greedy layer-wise pre-training and transfers from recorded runs. */
class PretrainDslSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-pretrain")

    val greedy = experiment("greedy") {
        seed = 4
        backend = "reference"
        dtype = "float64"
        data = shapeset(train = 160, test = 40, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false)
        model { dense(12, tanh); dense(10, tanh); dense(8, tanh); output(classes = 3) }
        pretrain { greedyLayerwise(epochsPerLayer = 1, optimizer = sgd(lr = 0.1)) }
        optimizer = sgd(lr = 0.05)
        train { epochs = 1; batchSize = 20; evalBatchSize = 40 }
    }
    val g = greedy.pretrain as GreedyLayerwiseSpec

    fun ExperimentSpec.greedy(f: (GreedyLayerwiseSpec) -> GreedyLayerwiseSpec) = copy(pretrain = f(pretrain as GreedyLayerwiseSpec))
    fun ExperimentSpec.transfers(vararg t: TransferSpec) = copy(model = model.copy(transfers = t.toList()))
    fun layer(k: Int) = listOf("layers.$k.weight", "layers.$k.bias")

    context("builders and JSON") {
        test("pretrain { greedyLayerwise } and copyFrom build the expected specs") {
            g shouldBe GreedyLayerwiseSpec(epochsPerLayer = 1, lowerLayers = "frozen", jointAfterEachStage = false, concatInput = false, optimizer = sgd(lr = 0.1))
            experiment("d") {
                data = shapeset(train = 100, test = 50)
                model { dense(8, relu); output(classes = 3) }
                optimizer = sgd(lr = 0.1)
                pretrain { greedyLayerwise() }
            }.pretrain shouldBe GreedyLayerwiseSpec(2, "frozen", false, false, null)
            val m = ModelBuilder().apply {
                dense(8, relu); dense(8, relu); dense(8, relu); output(classes = 3)
                copyFrom(run = "runs/shallow", layers = 0..1, freeze = true)
                copyFrom(run = "runs/shallow", layers = 2..2, to = 3)
            }.build()
            m.transfers shouldContainExactly listOf(
                TransferSpec("runs/shallow", fromLayer = 0, count = 2, toLayer = 0, freeze = true),
                TransferSpec("runs/shallow", fromLayer = 2, count = 1, toLayer = 3, freeze = false),
            )
        }

        test("pretrain and transfers round-trip through JSON") {
            val full = greedy.greedy { it.copy(lowerLayers = "fine-tuned", jointAfterEachStage = true, concatInput = true) }
            val json = SpecJson.encode(full)
            json shouldContain "\"pretrain\""
            json shouldContain "\"type\": \"greedy-layerwise\""
            SpecJson.decode(json) shouldBe full
            val noOptimizer = greedy.greedy { it.copy(optimizer = null) }
            SpecJson.decode(SpecJson.encode(noOptimizer)) shouldBe noOptimizer
            val t = greedy.copy(pretrain = null).transfers(TransferSpec("runs/a", 1, 2, 0, true), TransferSpec("/abs/parameters.bin"))
            val tj = SpecJson.encode(t)
            tj shouldContain "\"transfers\""
            SpecJson.decode(tj) shouldBe t
            SpecJson.json.decodeFromString(TransferSpec.serializer(), """{"run": "r", "fromLayer": 2}""") shouldBe TransferSpec("r", 2, 1, 2, false)
            SpecJson.json.decodeFromString(PretrainSpec.serializer(), """{"type": "greedy-layerwise"}""") shouldBe GreedyLayerwiseSpec()
        }
    }

    context("validation") {
        fun problems(s: ExperimentSpec) = SpecCompiler.validate(s)

        test("the greedy spec is valid") {
            problems(greedy) shouldBe emptyList()
        }

        test("pre-training with a pipeline optimizer") {
            val pipe = pipeline { phase("a", epochs = 1) { sgd(lr = 0.1) } }
            problems(greedy.greedy { it.copy(optimizer = null) }.copy(optimizer = pipe)) shouldContainExactly listOf(
                SpecProblem("pretrain.optimizer", "the experiment's optimizer is a pipeline; give pre-training its own optimizer"),
            )
            // its own optimizer makes a pipeline experiment valid
            problems(greedy.copy(optimizer = pipe)) shouldBe emptyList()
            problems(greedy.greedy { it.copy(optimizer = pipe) }) shouldContainExactly listOf(
                SpecProblem("pretrain.optimizer", "a pre-training stage takes one optimizer, not a pipeline"),
            )
        }

        test("pre-training together with transfers, data-driven scaling or heads") {
            problems(greedy.transfers(TransferSpec("runs/a"))) shouldContainExactly listOf(
                SpecProblem("model.transfers", "copying layers from a run and greedy pre-training both set the initial layers; use one"),
            )
            problems(greedy.copy(model = greedy.model.copy(heads = listOf(AuxiliaryHeadSpec(0))))) shouldContainExactly listOf(
                SpecProblem("model.heads", "auxiliary heads are not combined with greedy pre-training (each stage already has a head)"),
            )
            problems(greedy.copy(model = greedy.model.copy(dataDriven = DataDrivenSpec(batchSize = 32)))) shouldContainExactly listOf(
                SpecProblem("model.dataDriven", "data-driven scaling is not combined with greedy pre-training (each stage has a fresh head)"),
            )
        }

        test("unknown lowerLayers, no epochs, no hidden layer") {
            problems(greedy.greedy { it.copy(lowerLayers = "thawed") }) shouldContainExactly listOf(
                SpecProblem("pretrain.lowerLayers", "must be \"frozen\" or \"fine-tuned\", got \"thawed\""),
            )
            problems(greedy.greedy { it.copy(epochsPerLayer = 0) }) shouldContainExactly listOf(
                SpecProblem("pretrain.epochsPerLayer", "must be >= 1, got 0"),
            )
            problems(greedy.copy(model = ModelSpec(listOf(DenseSpec(3))))) shouldContainExactly listOf(
                SpecProblem("model.layers", "greedy layer-wise pre-training needs at least one hidden layer before the output layer"),
            )
        }

        test("a dropout layer between the hidden layers (it has no parameters for its stage)") {
            val m = greedy.model.layers
            problems(greedy.copy(model = greedy.model.copy(layers = listOf(m[0], DropoutSpec(0.2)) + m.drop(1)))) shouldContainExactly listOf(
                SpecProblem(
                    "model.layers[1]",
                    "greedy layer-wise pre-training trains one hidden layer per stage and dropout has none to train; " +
                        "put it inside a residual block or leave pre-training out",
                ),
            )
            // inside a residual block it is fine
            val wrapped = listOf(m[0], ResidualSpec(listOf(DenseSpec(12, "tanh"), DropoutSpec(0.2)))) + m.drop(1)
            problems(greedy.copy(model = greedy.model.copy(layers = wrapped))) shouldBe emptyList()
        }

        test("transfer layers out of range, empty count, blank run") {
            val plain = greedy.copy(pretrain = null)
            problems(plain.transfers(TransferSpec("runs/a", fromLayer = 2, count = 3))) shouldContainExactly listOf(
                SpecProblem("model.transfers[0].toLayer", "layers 2..4 are not all in this model (layers 0..3)"),
            )
            problems(plain.transfers(TransferSpec("runs/a"), TransferSpec(" ", count = 0, fromLayer = -1, toLayer = 0))).map { it.path } shouldContainExactly listOf(
                "model.transfers[1].run", "model.transfers[1].count", "model.transfers[1].fromLayer",
            )
        }

        test("several pre-training problems at once") {
            val bad = greedy.greedy { it.copy(epochsPerLayer = 0, lowerLayers = "x") }.transfers(TransferSpec("runs/a", toLayer = 9))
            val p = problems(bad)
            p.map { it.path } shouldContainExactly listOf("model.transfers[0].toLayer", "pretrain.epochsPerLayer", "pretrain.lowerLayers", "model.transfers")
            shouldThrow<InvalidSpecException> { SpecCompiler.compile(bad) }.problems shouldBe p
        }
    }

    context("greedy layer-wise pre-training on the reference backend") {
        test("frozen lower layers: stages pretrain-1..3 then train, each training its new layer and head") {
            val r = SpecCompiler.compile(greedy).run()
            r.stages.map { it.name() } shouldBe listOf("pretrain-1", "pretrain-2", "pretrain-3", "train")
            r.stages[0].trained() shouldContainExactly layer(0) + layer(1)
            r.stages[0].frozen() shouldBe emptyList()
            r.stages[1].trained() shouldContainExactly layer(1) + layer(2)
            r.stages[1].frozen() shouldContainExactly layer(0)
            r.stages[2].trained() shouldContainExactly layer(2) + layer(3)
            r.stages[2].frozen() shouldContainExactly layer(0) + layer(1)
            // the main training is the joint fine-tuning: every layer trains
            r.stages[3].trained() shouldContainExactly (0..3).flatMap { layer(it) }
            r.stages[3].frozen() shouldBe emptyList()
            r.stages.all { it.result().epochs().size == 1 && it.result().last().trainLoss().isFinite() } shouldBe true
            r.stages.dropLast(1).all { it.result().epochs().all { e -> e.stage() == it.name() } } shouldBe true
            r.result shouldBe r.stages.last().result()
            r.parameters!!.entries().getValue("layers.1.weight").shape().toList() shouldBe listOf(10L, 12L)
        }

        test("lowerLayers = fine-tuned freezes nothing; jointAfterEachStage adds joint stages") {
            val r = SpecCompiler.compile(greedy.greedy { it.copy(lowerLayers = "fine-tuned", jointAfterEachStage = true) }).run()
            r.stages.map { it.name() } shouldBe listOf("pretrain-1", "joint-1", "pretrain-2", "joint-2", "pretrain-3", "joint-3", "train")
            r.stages.all { it.frozen().isEmpty() } shouldBe true
            r.stages[2].trained() shouldContainExactly (0..2).flatMap { layer(it) }
        }

        test("concatInput: hidden layers after the first also see the raw input") {
            val r = SpecCompiler.compile(greedy.greedy { it.copy(concatInput = true) }).run()
            val p = r.parameters!!.entries()
            p.getValue("layers.0.weight").shape().toList() shouldBe listOf(12L, 64L)
            p.getValue("layers.1.weight").shape().toList() shouldBe listOf(10L, 12L + 64L)
            p.getValue("layers.2.weight").shape().toList() shouldBe listOf(8L, 10L + 64L)
            p.getValue("layers.3.weight").shape().toList() shouldBe listOf(3L, 8L)
            r.stages.map { it.name() } shouldBe listOf("pretrain-1", "pretrain-2", "pretrain-3", "train")
            r.result.last().testLoss().isFinite() shouldBe true
        }

        test("every parameterized layer kind can be a pre-trained hidden layer") {
            val s = greedy.copy(
                model = ModelSpec(
                    listOf(
                        DenseSpec(16, "tanh"), BatchNormSpec(), ResidualSpec(listOf(DenseSpec(16, "relu"), DropoutSpec(0.2))),
                        HighwaySpec(), ElmanSpec(4, 8), DenseSpec(3),
                    ),
                ),
            )
            SpecCompiler.validate(s) shouldBe emptyList()
            val r = SpecCompiler.compile(s).run()
            r.stages.map { it.name() } shouldBe listOf("pretrain-1", "pretrain-2", "pretrain-3", "pretrain-4", "pretrain-5", "train")
            r.stages[1].trained() shouldContainExactly listOf("layers.1.scale", "layers.1.shift", "layers.2.weight", "layers.2.bias")
            r.stages[4].frozen().contains("layers.3.gateWeight") shouldBe true
            r.stages.all { it.result().last().trainLoss().isFinite() } shouldBe true
        }

        test("a staged run repeated with the same seed is bit-identical") {
            val a = SpecCompiler.compile(greedy).run()
            val b = SpecCompiler.compile(greedy).run()
            val pa = a.parameters!!.entries()
            val pb = b.parameters!!.entries()
            pa.keys shouldBe pb.keys
            for ((k, v) in pa) pb.getValue(k).values().toList() shouldBe v.values().toList()
            a.stages.map { it.result().last().trainLoss() } shouldBe b.stages.map { it.result().last().trainLoss() }
        }
    }

    context("transfers from a recorded run") {
        val shallow = greedy.copy(name = "shallow", pretrain = null, model = greedy.model.copy(layers = listOf(DenseSpec(12, "tanh"), DenseSpec(3))))
        // experiment A, trained once and recorded as a run directory holding parameters.bin
        val recorded by lazy {
            val r = SpecCompiler.compile(shallow).run()
            val dir = work.resolve("runs/shallow/20260101-000000-aaaa").also { Files.createDirectories(it) }
            r.parameters!!.write(dir.resolve(Transfers.PARAMETERS_FILE))
            dir to r.parameters!!.entries()
        }

        fun deep(run: String, freeze: Boolean = true) = greedy.copy(
            name = "deep", pretrain = null,
            model = greedy.model.copy(
                layers = listOf(DenseSpec(12, "tanh"), DenseSpec(12, "tanh"), DenseSpec(3)),
                transfers = listOf(TransferSpec(run, fromLayer = 0, count = 1, toLayer = 0, freeze = freeze)),
            ),
        )

        test("a frozen copied layer keeps the recorded values through training") {
            val (runDir, a) = recorded
            val r = SpecCompiler.compile(deep(runDir.toString())).run()
            val b = r.parameters!!.entries()
            for (k in layer(0)) b.getValue(k).values().toList() shouldBe a.getValue(k).values().toList()
            r.stages.single().frozen() shouldContainExactly layer(0)
            r.stages.single().trained() shouldContainExactly layer(1) + layer(2)
            // the layers that train moved from their initial values
            val c = SpecCompiler.compile(deep(runDir.toString()))
            val initial = c.buildModel().initialize(ReferenceBackend(), DType.FLOAT64, RandomStreams(c.spec.seed).stream(RandomStreams.INIT))
                .use { it.get("layers.1.weight").value().toDoubles() }
            b.getValue("layers.1.weight").values().toList() shouldNotBe initial.toList()
        }

        test("an unfrozen copied layer starts from the recorded values and trains") {
            val (runDir, a) = recorded
            val r = SpecCompiler.compile(deep(runDir.toString(), freeze = false)).run()
            r.stages.single().frozen() shouldBe emptyList()
            r.parameters!!.entries().getValue("layers.0.weight").values().toList() shouldNotBe a.getValue("layers.0.weight").values().toList()
        }

        test("the run may be given as the parameters file, the run directory or the experiment's folder of runs") {
            val (runDir, a) = recorded
            val file = runDir.resolve(Transfers.PARAMETERS_FILE)
            Transfers.parameterFile(file.toString()) shouldBe file
            Transfers.parameterFile(runDir.toString()) shouldBe file
            Transfers.parameterFile(runDir.parent.toString()) shouldBe file
            // the newest run with parameters wins; a newer run without them (still running, failed) is skipped
            val newer = runDir.resolveSibling("20260102-000000-bbbb").also { Files.createDirectories(it) }
            Files.copy(file, newer.resolve(Transfers.PARAMETERS_FILE))
            Files.createDirectories(runDir.resolveSibling("20260103-000000-cccc"))
            Transfers.parameterFile(runDir.parent.toString()) shouldBe newer.resolve(Transfers.PARAMETERS_FILE)
            val r = SpecCompiler.compile(deep(runDir.parent.toString())).run()
            r.parameters!!.entries().getValue("layers.0.weight").values().toList() shouldBe a.getValue("layers.0.weight").values().toList()
        }

        test("a missing file is an InvalidSpecException naming model.transfers[0].run") {
            val (runDir, a) = recorded
            val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(deep(work.resolve("nowhere").toString())).run() }
            e.problems.map { it.path } shouldBe listOf("model.transfers[0].run")
            e.message shouldContain "nowhere"
        }

        test("a shape mismatch is an InvalidSpecException naming model.transfers[0]") {
            val (runDir, a) = recorded
            val wide = deep(runDir.toString()).let { it.copy(model = it.model.copy(layers = listOf(DenseSpec(20, "tanh")) + it.model.layers.drop(1))) }
            val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(wide).run() }
            e.problems.map { it.path } shouldBe listOf("model.transfers[0]")
            e.message shouldContain Transfers.PARAMETERS_FILE
        }

        test("a layer index the recorded run does not have is an InvalidSpecException naming model.transfers[0]") {
            val (runDir, a) = recorded
            val s = deep(runDir.toString()).let { it.copy(model = it.model.copy(transfers = listOf(TransferSpec(runDir.toString(), fromLayer = 2, toLayer = 1)))) }
            val e = shouldThrow<InvalidSpecException> { SpecCompiler.compile(s).run() }
            e.problems.map { it.path } shouldBe listOf("model.transfers[0]")
        }
    }

    afterSpec { work.toFile().deleteRecursively() }
})
