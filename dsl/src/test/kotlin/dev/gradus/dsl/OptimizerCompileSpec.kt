package dev.gradus.dsl

import dev.gradus.engine.optim.Chain
import dev.gradus.engine.optim.GradientNoise
import dev.gradus.engine.optim.GradientTransform
import dev.gradus.engine.optim.Partition
import dev.gradus.engine.optim.PolyakAverage
import dev.gradus.engine.random.RandomStream
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.schedule.CosineAnnealing
import dev.gradus.engine.schedule.PerEpoch
import dev.gradus.engine.schedule.ReduceOnPlateau
import dev.gradus.engine.schedule.Schedules
import dev.gradus.engine.schedule.StepDecay
import dev.gradus.engine.schedule.SutskeverMomentum
import dev.gradus.engine.tensor.DType
import dev.gradus.engine.tensor.reference.ReferenceBackend
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.TrainingListener
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.ints.shouldBeInRange
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf

class OptimizerCompileSpec : FunSpec({
    // 300 examples, 30 of them held out: 270 to train on, 27 steps per epoch in batches of 10
    val small = experiment("pipeline-small") {
        seed = 5
        backend = "reference"
        data = shapeset(train = 300, test = 90, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false, greyLevels = false)
        model { dense(16, tanh); output(classes = 3) }
        optimizer = sgd(0.1)
        train { epochs = 2; batchSize = 10; evalBatchSize = 64; validationFraction = 0.1 }
    }

    fun hyperparameters(o: GradientTransform): Map<String, Double> {
        val c = SpecCompiler.compile(small)
        val params = c.buildModel().initialize(ReferenceBackend(), DType.FLOAT64, RandomStream("init", 1))
        return o.hyperparameters(o.init(params))
    }

    fun compile(o: OptimizerSpec, train: TrainSpec = small.train) = SpecCompiler.compile(small.copy(optimizer = o, train = train))

    test("numeric hyperparameters reach the engine optimizer") {
        val hp = hyperparameters(compile(sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 5e-4)).buildOptimizer())
        hp["lr"] shouldBe 0.1
        hp["momentum"] shouldBe 0.9
        hp["weight_decay"] shouldBe 5e-4
        val adam = hyperparameters(compile(adam(lr = 2e-3, beta1 = 0.8, beta2 = 0.99, eps = 1e-7)).buildOptimizer())
        listOf(adam["lr"], adam["beta1"], adam["beta2"], adam["eps"]) shouldBe listOf(2e-3, 0.8, 0.99, 1e-7)
    }

    test("scheduled hyperparameters become engine schedules, evaluated at the optimizer's step") {
        val o = compile(sgd(lr = cosine(0.1, steps = 100), momentum = sutskeverMomentum(0.99))).buildOptimizer()
        o.schedules().filterIsInstance<SutskeverMomentum>().single() shouldBe SutskeverMomentum(0.99, 250)
        val hp = hyperparameters(o)
        hp["lr"] shouldBe 0.1
        hp["momentum"] shouldBe 0.5
        val lr = o.schedules().filterIsInstance<CosineAnnealing>().single()
        lr.at(50) shouldBe (0.05 plusOrMinus 1e-12)
        lr.at(100) shouldBe 0.0
    }

    test("every schedule type compiles to the engine schedule with the same values") {
        val c = OptimizerCompiler(1)
        val perEpoch = c.schedule(perEpoch(stepDecay(0.1, factor = 0.5, every = 1)), 27).shouldBeInstanceOf<PerEpoch>()
        perEpoch.stepsPerEpoch() shouldBe 27
        perEpoch.at(26) shouldBe 0.1
        perEpoch.at(27) shouldBe 0.05
        c.schedule(stepDecay(0.1, factor = 0.5, every = 10), null) shouldBe StepDecay(0.1, 0.5, 10)
        Schedules.sample(c.schedule(multiStep(1.0, 0.5, 2, 4), null), 5).toList() shouldBe listOf(1.0, 1.0, 0.5, 0.5, 0.25)
        Schedules.sample(c.schedule(warmup(fixed(1.0), steps = 4), null), 6).toList() shouldBe listOf(0.0, 0.25, 0.5, 0.75, 1.0, 1.0)
        Schedules.sample(c.schedule(join(listOf(linearDecay(1.0, 2, 0.0), fixed(3.0)), 2), null), 4).toList() shouldBe
            listOf(1.0, 0.5, 3.0, 3.0)
        c.schedule(exponential(1.0, 0.5), null).at(2) shouldBe Math.exp(-1.0)
        c.schedule(inverseTime(1.0, 0.5), null).at(2) shouldBe 0.5
        c.schedule(polynomial(1.0, 10, 0.0, 2.0), null).at(5) shouldBe 0.25
        for (s in EVERY_SCHEDULE) c.schedule(s, 10) // every type builds
    }

    test("reduce-on-plateau follows the metric's direction unless a mode is given") {
        val c = OptimizerCompiler(1)
        (c.schedule(reduceOnPlateau(0.1, metric = "validation.accuracy"), null) as ReduceOnPlateau).mode() shouldBe ReduceOnPlateau.Mode.MAX
        (c.schedule(reduceOnPlateau(0.1, metric = "train.loss"), null) as ReduceOnPlateau).mode() shouldBe ReduceOnPlateau.Mode.MIN
        val explicit = c.schedule(
            reduceOnPlateau(0.1, metric = "train.loss", mode = ReduceOnPlateau.Mode.MAX, factor = 0.5, patience = 3, cooldown = 2,
                minValue = 1e-4, thresholdMode = ReduceOnPlateau.ThresholdMode.ABS, threshold = 0.01),
            null,
        ) as ReduceOnPlateau
        listOf(explicit.mode(), explicit.factor(), explicit.patience(), explicit.cooldown(), explicit.minValue(), explicit.thresholdMode(), explicit.threshold()) shouldBe
            listOf(ReduceOnPlateau.Mode.MAX, 0.5, 3, 2, 1e-4, ReduceOnPlateau.ThresholdMode.ABS, 0.01)
    }

    test("per-epoch schedules count the steps left after the validation hold-out") {
        val c = compile(sgd(lr = perEpoch(stepDecay(0.1, factor = 0.5, every = 1))))
        c.trainExamples shouldBe 270
        c.stepsPerEpoch() shouldBe 27
        c.buildOptimizer().schedules().filterIsInstance<PerEpoch>().single().stepsPerEpoch() shouldBe 27
        compile(sgd(0.1), small.train.copy(batchSize = 100)).stepsPerEpoch() shouldBe 3
        compile(sgd(0.1), small.train.copy(batchSizeSchedule = stepDecay(10.0, 2.0, 1))).stepsPerEpoch() shouldBe null
    }

    test("chains, groups, noise and averaging compile to the engine's transforms") {
        val chain = compile(chain(clipByGlobalNorm(1.0), gradientNoise(), adam(), polyak(10))).buildOptimizer().shouldBeInstanceOf<Chain>()
        chain.transforms().size shouldBe 4
        chain.transforms()[1].shouldBeInstanceOf<GradientNoise>().seed() shouldBe RandomStreams.seedFor(5, "gradient-noise")
        chain.transforms()[3] shouldBe PolyakAverage(10)
        val groups = compile(
            groups(otherwise = chain(gradientNoise(), sgd(0.1, weightDecay = 1e-4))) {
                group("biases", "**.bias") { chain(gradientNoise(), sgd(0.1)) }
                group("first", "layers.0.*") { freeze() }
            },
        ).buildOptimizer().shouldBeInstanceOf<Partition>()
        groups.groupNames() shouldContainExactly listOf("biases", "first", "default")
        groups.groupOf("layers.0.bias") shouldBe "biases"
        groups.groupOf("layers.0.weight") shouldBe "first"
        groups.groupOf("layers.1.weight") shouldBe "default"
        val seeds = listOf(groups.groups()[0].transform(), groups.otherwise()).map {
            ((it as Chain).transforms()[0] as GradientNoise).seed()
        }
        seeds shouldBe listOf(
            RandomStreams.seedFor(5, "gradient-noise"),
            RandomStreams.seedFor(5, "gradient-noise@optimizer.otherwise.transforms[0]"),
        )
    }

    test("a non-pipeline optimizer runs as one phase 'main'; the training config carries the hold-out and averaging") {
        val c = compile(chain(sgd(0.1), ema(0.9)), small.train.copy(evaluateAveraged = true, batchSizeSchedule = stepDecay(10.0, 2.0, 1)))
        c.isPipeline shouldBe false
        c.phaseNames shouldBe listOf("main")
        val phases = c.buildPhases()
        phases.map { it.name() } shouldBe listOf("main")
        phases[0].stop().describe() shouldBe "2 epochs"
        phases[0].carryState() shouldBe false
        phases[0].batchSize() shouldBe StepDecay(10.0, 2.0, 1)
        val config = c.trainingConfig()
        config.validationFraction() shouldBe 0.1
        config.evaluateAveraged() shouldBe true
        config.epochs() shouldBe 2
    }

    test("a pipeline compiles to its phases, with their stopping rules, carried state and batch sizes") {
        val c = compile(
            pipeline {
                phase("adam", epochs = 5) { adam(1e-3) }
                phase("sgd", until = plateau("validation.loss", patience = 2, maxEpochs = 20)) { sgd(0.01, momentum = 0.9) }
                phase("more", until = target("validation.accuracy", 0.9, maxEpochs = 20), carryState = true, batchSize = fixed(30.0)) {
                    sgd(0.005, momentum = 0.9)
                }
                phase("fine", until = steps(100)) { sgd(0.001) }
                phase("early", until = earlyStopping(patience = 3, maxEpochs = 10)) { sgd(0.001) }
            },
        )
        c.isPipeline shouldBe true
        shouldThrow<IllegalStateException> { c.buildOptimizer() }.message shouldContain "pipeline of 5 phases; use buildPhases()"
        val phases = c.buildPhases()
        phases.map { it.name() } shouldBe listOf("adam", "sgd", "more", "fine", "early")
        phases.map { it.stop().describe() } shouldBe listOf(
            "5 epochs",
            "plateau: validation.loss without improvement by more than 0.0 for 2 epochs (at most 20 epochs)",
            "validation.accuracy >= 0.9 (at most 20 epochs)",
            "100 steps",
            "early stopping: validation.loss without improvement by more than 0.0 for 3 epochs (at most 10 epochs)",
        )
        phases.map { it.stop().metric() } shouldBe listOf(null, "validation.loss", "validation.accuracy", null, "validation.loss")
        phases.map { it.carryState() } shouldBe listOf(false, false, true, false, false)
        phases[2].batchSize()!!.at(0) shouldBe 30.0
        c.stepsPerEpoch(2) shouldBe 9
        hyperparameters(phases[0].optimizer())["lr"] shouldBe 1e-3
        hyperparameters(phases[1].optimizer())["momentum"] shouldBe 0.9
        (c.buildPhases()[1].stop() !== phases[1].stop()) shouldBe true // stateful rules are fresh for each build
    }

    test("a 2-phase pipeline Adam -> SGD with momentum trains, and its result has both phases") {
        val spec = small.copy(
            optimizer = pipeline {
                phase("adam", epochs = 2) { adam(1e-2) }
                phase("sgd", until = plateau("validation.loss", patience = 1, maxEpochs = 3)) { sgd(0.05, momentum = 0.9) }
            },
        )
        val seen = mutableListOf<String>()
        val listener = object : TrainingListener {
            override fun onPhaseStart(phase: String, index: Int, stoppingRule: String) {
                seen += "start $phase"
            }

            override fun onEpoch(metrics: EpochMetrics) {
                seen += "epoch ${metrics.phase()}"
            }
        }
        val r = SpecCompiler.compile(spec).run(listeners = listOf(listener))
        r.phases.map { it.name() } shouldBe listOf("adam", "sgd")
        r.phases[0].epochs() shouldBe 2
        r.phases[0].steps() shouldBe 54L
        r.phases[1].epochs() shouldBeInRange 1..3
        r.phases[1].stopReason() shouldContain "plateau"
        r.result.epochs().size shouldBe 2 + r.phases[1].epochs()
        r.result.epochs().map { it.phase() } shouldBe List(2) { "adam" } + List(r.phases[1].epochs()) { "sgd" }
        r.result.epochs().forEach { it.validationLoss().isFinite() shouldBe true }
        seen.first() shouldBe "start adam"
        seen.contains("start sgd") shouldBe true
        r.result.last().trainLoss() shouldBeLessThan r.result.epochs().first().trainLoss()
    }
})
