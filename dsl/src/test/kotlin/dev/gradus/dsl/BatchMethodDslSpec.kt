package dev.gradus.dsl

import dev.gradus.engine.curvature.CurvatureSnapshot
import dev.gradus.engine.optim.batch.Bfgs
import dev.gradus.engine.optim.batch.BlockCoordinateDescent
import dev.gradus.engine.optim.batch.HessianFree
import dev.gradus.engine.optim.batch.Lbfgs
import dev.gradus.engine.optim.batch.NaturalGradient
import dev.gradus.engine.optim.batch.Newton
import dev.gradus.engine.optim.batch.NonlinearConjugateGradient
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainExactlyInAnyOrder
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.types.shouldBeInstanceOf

/** Batch and second-order methods in the DSL: specs, JSON, validation, compilation and a pipeline run; the curvature monitor. */
class BatchMethodDslSpec : FunSpec({
    val base = experiment("batch") {
        seed = 4
        backend = "reference"
        data = shapeset(train = 120, test = 40, imageSize = 6)
        model { dense(8, tanh); output(classes = 3) }
        optimizer = lbfgs()
        train { epochs = 2; batchSize = 20; evalBatchSize = 40 }
    }

    fun ExperimentSpec.with(o: OptimizerSpec) = copy(optimizer = o)
    fun problems(o: OptimizerSpec) = SpecCompiler.validate(base.with(o))

    val all: List<OptimizerSpec> = listOf(
        lbfgs(lr = 0.5, history = 7, maxIter = 3, lineSearch = "none", maxEval = 9),
        bfgs(lineSearch = "armijo"),
        conjugateGradient(variant = "fletcher-reeves", restartEvery = 5),
        newton(damping = "levenberg-marquardt", alpha = 1e-2),
        newton(damping = "none", curvature = "gauss-newton"),
        saddleFreeNewton(damping = "levenberg-marquardt", alpha = 0.1),
        hessianFree(damping = 2.0, cgIterations = 7),
        naturalGradient(lr = 0.3, damping = 1e-2, fisher = "empirical", solver = "explicit"),
        blockCoordinate(blocks = listOf(listOf("layers.0.*"), listOf("layers.1.*")), inner = lbfgs(maxIter = 2)),
        blockCoordinate(blocks = listOf(listOf("**.weight")), inner = adam(1e-2), innerSteps = 3),
    )

    test("factories mirror the engine's parameters and defaults") {
        lbfgs() shouldBe LbfgsSpec(lr = 1.0, history = 10, maxIter = 20, maxEval = null, toleranceGrad = 1e-7, toleranceChange = 1e-9, lineSearch = "strong-wolfe")
        conjugateGradient().variant shouldBe "polak-ribiere"
        hessianFree() shouldBe HessianFreeSpec(damping = 1.0, cgIterations = 50, curvature = "gauss-newton", cgTolerance = 1e-4, warmStart = 0.95)
        naturalGradient().fisher shouldBe "model"
        newton().damping shouldBe "levenberg-marquardt"
    }

    test("JSON round trip with type discriminators, top level and in a pipeline") {
        val types = listOf("lbfgs", "bfgs", "conjugate-gradient", "newton", "newton", "saddle-free-newton", "hessian-free", "natural-gradient",
            "block-coordinate", "block-coordinate")
        all.zip(types).forEach { (o, type) ->
            val s = base.with(o)
            val json = SpecJson.encode(s)
            json shouldContain "\"type\": \"$type\""
            SpecJson.decode(json) shouldBe s
        }
        val p = base.with(pipeline { phase("adam", epochs = 2) { adam(1e-3) }; phase("lbfgs", epochs = 3) { lbfgs() } })
        SpecJson.decode(SpecJson.encode(p)) shouldBe p
        SpecJson.json.decodeFromString(OptimizerSpec.serializer(), "{\"type\": \"lbfgs\", \"history\": 3}") shouldBe LbfgsSpec(history = 3)
    }

    test("every method validates and compiles to its engine object") {
        all.forEach { problems(it).shouldBeEmpty() }
        val engine = all.map { SpecCompiler.compile(base.with(it)).buildPhases().single().also { p -> p.isBatchMethod shouldBe true }.batchMethod() }
        engine[0].shouldBeInstanceOf<Lbfgs>().describe() shouldBe "lbfgs(lr=0.5, max_iter=3, m=7, no line search)"
        engine[1].shouldBeInstanceOf<Bfgs>().describe() shouldContain "armijo"
        engine[2].shouldBeInstanceOf<NonlinearConjugateGradient>().describe() shouldContain "fletcher-reeves"
        engine[3].shouldBeInstanceOf<Newton>()
        engine[5].shouldBeInstanceOf<Newton>()
        engine[6].shouldBeInstanceOf<HessianFree>().describe() shouldBe "hessian-free(gauss_newton, damping=2.0, cg<=7)"
        engine[7].shouldBeInstanceOf<NaturalGradient>()
        engine[8].shouldBeInstanceOf<BlockCoordinateDescent>().blocks() shouldBe listOf(listOf("layers.0.*"), listOf("layers.1.*"))
        engine[9].shouldBeInstanceOf<BlockCoordinateDescent>()
        shouldThrow<IllegalStateException> { SpecCompiler.compile(base).buildOptimizer() }
    }

    test("a pipeline adam -> lbfgs compiles to a first-order phase and Phase.ofBatchMethod; full batch unless the phase sets one") {
        val p = base.with(
            pipeline {
                phase("adam", epochs = 2) { adam(1e-3) }
                phase("lbfgs", epochs = 3) { lbfgs() }
                phase("mini", epochs = 1, batchSize = fixed(30.0)) { conjugateGradient() }
            },
        )
        val phases = SpecCompiler.compile(p).buildPhases()
        phases.map { it.isBatchMethod } shouldBe listOf(false, true, true)
        phases[1].batchMethod().shouldBeInstanceOf<Lbfgs>()
        phases[1].batchSize() shouldBe null
        phases[2].batchSize()!!.at(0) shouldBe 30.0
    }

    test("validation reports each bad field at its path") {
        problems(lbfgs(history = 0, maxIter = 0, lineSearch = "wolfe", lr = -1.0)).map { it.path } shouldContainExactlyInAnyOrder
            listOf("optimizer.history", "optimizer.maxIter", "optimizer.lineSearch", "optimizer.lr")
        val inPhase = problems(pipeline { phase("adam", epochs = 1) { adam() }; phase("lbfgs", epochs = 1) { lbfgs(history = 0) } })
        inPhase.map { "${it.path}: ${it.message}" } shouldBe listOf("optimizer.phases[1].optimizer.history: must be >= 1, got 0")
        problems(conjugateGradient(variant = "hestenes")).single().message shouldContain "\"polak-ribiere\", \"fletcher-reeves\""
        problems(newton(damping = "trust", alpha = -1.0)).map { it.path } shouldContainExactlyInAnyOrder listOf("optimizer.damping", "optimizer.alpha")
        problems(hessianFree(cgIterations = 0, warmStart = 2.0)).map { it.path } shouldContainExactlyInAnyOrder
            listOf("optimizer.cgIterations", "optimizer.warmStart")
        problems(naturalGradient(fisher = "true", solver = "explicit", damping = 0.0)).map { it.path } shouldContainExactlyInAnyOrder
            listOf("optimizer.fisher", "optimizer.damping")
        problems(blockCoordinate(blocks = listOf(listOf("layers.7.*"), emptyList()), inner = lbfgs(history = 0))).map { it.path } shouldContainExactlyInAnyOrder
            listOf("optimizer.blocks[0]", "optimizer.blocks[1]", "optimizer.inner.history")
        problems(blockCoordinate(blocks = emptyList(), inner = pipeline { phase("a", epochs = 1) { adam() } })).map { it.path } shouldContainExactlyInAnyOrder
            listOf("optimizer.blocks", "optimizer.inner")
        SpecCompiler.validate(base.copy(train = base.train.copy(batchSizeSchedule = fixed(30.0)))).map { it.path } shouldBe
            listOf("train.batchSizeSchedule")
        shouldThrow<InvalidSpecException> { SpecCompiler.compile(base.with(lbfgs(history = 0))) }.message shouldContain
            "optimizer.history: must be >= 1, got 0"
    }

    test("a batch method inside a chain or a group is rejected with a clear message") {
        val chained = problems(chain(clipByGlobalNorm(1.0), lbfgs()))
        chained.map { it.path } shouldContain "optimizer.transforms[1]"
        chained.first { it.path == "optimizer.transforms[1]" }.message shouldContain "lbfgs is a batch method"
        chained.first { it.path == "optimizer.transforms[1]" }.message shouldContain "pipeline phase"
        val grouped = problems(groups(otherwise = hessianFree()) { group("w", "**.weight") { lbfgs() } })
        grouped.map { it.path } shouldContainExactlyInAnyOrder listOf("optimizer.groups[0].optimizer", "optimizer.otherwise")
        grouped[0].message shouldContain "cannot be a member of a parameter group"
        val carry = problems(pipeline { phase("a", epochs = 1) { lbfgs() }; phase("b", epochs = 1, carryState = true) { lbfgs() } })
        carry.map { it.path } shouldBe listOf("optimizer.phases[1].carryState")
    }

    test("a pipeline adam -> lbfgs runs end to end on the reference backend and the L-BFGS phase lowers the training loss") {
        val spec = base.with(
            pipeline {
                phase("adam", epochs = 2) { adam(1e-2) }
                phase("lbfgs", epochs = 3) { lbfgs(maxIter = 5) }
            },
        )
        val r = SpecCompiler.compile(spec).run()
        r.phases.map { it.name() } shouldBe listOf("adam", "lbfgs")
        val epochs = r.result.epochs()
        epochs.map { it.phase() } shouldBe listOf("adam", "adam", "lbfgs", "lbfgs", "lbfgs")
        // a batch epoch's training loss is the full-batch loss before its step: epoch 3's is where L-BFGS started
        val start = epochs[2].trainLoss()
        val end = epochs[4].trainLoss()
        end shouldBeLessThan start
        epochs[4].testLoss() shouldBeLessThan epochs[1].testLoss()
        epochs[2].hyperparameters()["batch.gradients"]!! shouldBe epochs[2].hyperparameters()["batch.values"]!!
        (epochs[2].hyperparameters()["batch.gradients"]!! >= 1.0) shouldBe true
        epochs[2].batchSize() shouldBe 120
        r.phases[1].stopReason() shouldNotContain "warning"
        // a phase batch size: minibatch steps, and the engine's warning in the stop reason
        val mini = SpecCompiler.compile(base.with(pipeline { phase("cg", epochs = 1, batchSize = fixed(40.0)) { conjugateGradient() } })).run()
        mini.result.steps() shouldBe 3L
        mini.phases[0].stopReason() shouldContain "warning"
    }

    test("train { curvature(...) }: JSON, validation, and snapshots at initialization, per step and per epoch") {
        val c = base.copy(optimizer = sgd(0.1), train = TrainBuilder(base.train).apply { curvature(everyEpochs = 1, everySteps = 2, batchSize = 32) }.build())
        c.train.curvature shouldBe CurvatureSpec(1, 2, 32)
        TrainBuilder().build().curvature shouldBe null
        SpecJson.decode(SpecJson.encode(c)) shouldBe c
        SpecJson.encode(base) shouldNotContain "curvature"
        fun bad(cv: CurvatureSpec) = SpecCompiler.validate(c.copy(train = c.train.copy(curvature = cv))).map { it.path }
        bad(CurvatureSpec(-1, -1, 0)) shouldContainExactlyInAnyOrder
            listOf("train.curvature.everyEpochs", "train.curvature.everySteps", "train.curvature.batchSize")
        bad(CurvatureSpec(batchSize = 121)) shouldBe listOf("train.curvature.batchSize")
        val seen = mutableListOf<CurvatureSnapshot>()
        val r = SpecCompiler.compile(c).run(onCurvature = { seen += it })
        // 6 steps per epoch, 2 epochs: initialization, steps 2, 4, 6, epoch 1, steps 8, 10, 12, epoch 2
        r.curvature.map { it.step() } shouldBe listOf(0L, 2L, 4L, 6L, 6L, 8L, 10L, 12L, 12L)
        seen shouldHaveSize 9
        r.curvature[0].learningRate() shouldBe 0.1
        r.curvature.forEach { (it.gTg() > 0) shouldBe true; it.gradientNorm() shouldBe Math.sqrt(it.gTg()) }
        CurvatureSnapshot.predictedChange(0.1, r.curvature[0].gTg(), r.curvature[0].gTHg()) shouldBe r.curvature[0].predictedChange()
        // measuring does not change training
        val plain = SpecCompiler.compile(c.copy(train = c.train.copy(curvature = null))).run()
        plain.curvature.shouldBeEmpty()
        plain.result.epochs().map { it.trainLoss() } shouldBe r.result.epochs().map { it.trainLoss() }
    }
})
