package dev.gradus.dsl

import dev.gradus.engine.schedule.ReduceOnPlateau
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

class OptimizerDslSpec : FunSpec({
    fun declare(block: ExperimentBuilder.() -> Unit): ExperimentSpec = experiment("dsl") {
        data = shapeset(train = 1000, test = 100)
        model { dense(8, relu); output(classes = 3) }
        block()
    }

    test("numbers: the numeric form of each factory") {
        declare { optimizer = adam(lr = 1e-3) }.optimizer shouldBe
            AdamSpec(fixed(1e-3), fixed(0.9), fixed(0.999), fixed(1e-8), false, fixed(0.0))
        declare { optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 5e-4) }.optimizer shouldBe
            SgdSpec(lr = fixed(0.1), momentum = fixed(0.9), nesterov = true, weightDecay = fixed(5e-4), dampening = fixed(0.0))
        adam() shouldBe AdamSpec()
        adagrad() shouldBe AdagradSpec()
        rmsprop() shouldBe RmspropSpec()
        adadelta() shouldBe AdadeltaSpec()
        adamw() shouldBe AdamWSpec()
        nesterov(0.1) shouldBe SgdSpec(fixed(0.1), fixed(0.9), nesterov = true)
        momentum(0.1) shouldBe MomentumSpec(fixed(0.1), fixed(0.9))
        nesterovBook(0.1, momentum = 0.5) shouldBe NesterovBookSpec(fixed(0.1), fixed(0.5))
        rmspropNesterov(0.01) shouldBe RmspropNesterovSpec(fixed(0.01))
    }

    test("schedules: the scheduled form, with fixed(...) for numbers among schedules") {
        declare {
            optimizer = sgd(lr = stepDecay(0.1, factor = 0.5, every = 1000), momentum = sutskeverMomentum(0.99))
        }.optimizer shouldBe SgdSpec(
            lr = StepDecaySchedule(0.1, 0.5, 1000),
            momentum = SutskeverMomentumSchedule(0.99, 250),
        )
        sgd(lr = cosine(0.1, steps = 10_000), momentum = fixed(0.9)) shouldBe
            SgdSpec(CosineSchedule(0.1, 10_000, 0.0), ConstantSchedule(0.9))
        adam(lr = reduceOnPlateau(1e-3, patience = 2)) shouldBe
            AdamSpec(lr = ReduceOnPlateauSchedule(ConstantSchedule(1e-3), "validation.loss", 0.1, 2, 1e-4, "rel", 0, 0.0, null))
        reduceOnPlateau(warmup(0.1, steps = 100), metric = "validation.accuracy", mode = ReduceOnPlateau.Mode.MAX,
            thresholdMode = ReduceOnPlateau.ThresholdMode.ABS) shouldBe ReduceOnPlateauSchedule(
            WarmupSchedule(ConstantSchedule(0.1), 100, 0.0), "validation.accuracy", thresholdMode = "abs", mode = "max",
        )
        multiStep(0.1, 0.1, 30, 60) shouldBe MultiStepSchedule(0.1, 0.1, listOf(30L, 60L))
        join(listOf(fixed(0.1), cosine(0.1, 100)), 50) shouldBe JoinSchedule(listOf(ConstantSchedule(0.1), CosineSchedule(0.1, 100)), listOf(50L))
        perEpoch(exponential(0.1, 0.5)) shouldBe PerEpochSchedule(ExponentialSchedule(0.1, 0.5))
        ScheduleSpec.constant(2.0) shouldBe fixed(2.0)
    }

    test("transforms chain with optimizers") {
        declare {
            optimizer = chain(clipByGlobalNorm(1.0), adam(lr = cosine(1e-3, steps = 10_000)))
        }.optimizer shouldBe ChainSpec(
            listOf(ClipByGlobalNormSpec(ConstantSchedule(1.0)), AdamSpec(lr = CosineSchedule(1e-3, 10_000))),
        )
        chain(listOf(weightDecay(1e-4), sgd(0.1), polyak(10), ema(0.9))) shouldBe ChainSpec(
            listOf(WeightDecaySpec(fixed(1e-4)), SgdSpec(0.1), PolyakSpec(10), EmaSpec(fixed(0.9), false)),
        )
        gradientNoise() shouldBe GradientNoiseSpec(eta = 0.01, gamma = 0.55)
        gradientNoise(variance = fixed(0.1)) shouldBe GradientNoiseSpec(variance = ConstantSchedule(0.1))
        clipByValue(cosine(1.0, 10)) shouldBe ClipByValueSpec(CosineSchedule(1.0, 10))
    }

    test("groups: each group with its patterns and optimizer, in order") {
        val spec = declare {
            optimizer = groups(otherwise = sgd(0.1, weightDecay = 1e-4)) {
                group("biases", "**.bias") { sgd(0.1) }
                group("first", "layers.0.*") { freeze() }
            }
        }
        spec.optimizer shouldBe GroupsSpec(
            listOf(
                GroupSpec("biases", listOf("**.bias"), SgdSpec(0.1)),
                GroupSpec("first", listOf("layers.0.*"), FreezeSpec),
            ),
            otherwise = SgdSpec(fixed(0.1), weightDecay = fixed(1e-4)),
        )
        SpecCompiler.validate(spec) shouldBe emptyList()
        groups {
            group("all", "**") { adam() }
            otherwise = null
        } shouldBe GroupsSpec(listOf(GroupSpec("all", listOf("**"), AdamSpec())))
    }

    test("pipeline: phases with their stopping rules, state carrying and batch sizes") {
        val spec = declare {
            optimizer = pipeline {
                phase("adam", epochs = 5) { adam(1e-3) }
                phase("sgd", until = plateau("validation.loss", patience = 2, maxEpochs = 20), carryState = false) {
                    sgd(0.01, momentum = 0.9)
                }
                phase("grow", until = earlyStopping(patience = 3, maxEpochs = 30), batchSize = stepDecay(64.0, factor = 2.0, every = 5)) {
                    sgd(0.01, momentum = 0.9)
                }
                phase("same", until = target("validation.accuracy", 0.95, maxEpochs = 10), carryState = true) {
                    sgd(0.001, momentum = 0.9)
                }
                phase("last", until = steps(100), optimizer = sgd(1e-4))
            }
            train { epochs = 3; batchSize = 128; validationFraction = 0.1 }
        }
        spec.optimizer shouldBe PipelineSpec(
            listOf(
                PhaseSpec("adam", AdamSpec(lr = fixed(1e-3)), EpochsStop(5)),
                PhaseSpec("sgd", SgdSpec(fixed(0.01), fixed(0.9)), PlateauStop("validation.loss", 2, 20, 0.0)),
                PhaseSpec("grow", SgdSpec(fixed(0.01), fixed(0.9)), EarlyStoppingStop("validation.loss", 3, 30), false, StepDecaySchedule(64.0, 2.0, 5)),
                PhaseSpec("same", SgdSpec(fixed(0.001), fixed(0.9)), TargetStop("validation.accuracy", 0.95, 10), carryState = true),
                PhaseSpec("last", SgdSpec(1e-4), StepsStop(100)),
            ),
        )
        spec.train shouldBe TrainSpec(epochs = 3, batchSize = 128, validationFraction = 0.1)
        SpecCompiler.validate(spec) shouldBe emptyList()
    }

    test("train { } sets the validation hold-out, averaging and a batch-size schedule") {
        val spec = declare {
            optimizer = chain(sgd(0.1), polyak(100))
            train { validationFraction = 0.2; evaluateAveraged = true; batchSizeSchedule = stepDecay(32.0, factor = 2.0, every = 2) }
        }
        spec.train shouldBe TrainSpec(validationFraction = 0.2, evaluateAveraged = true, batchSizeSchedule = StepDecaySchedule(32.0, 2.0, 2))
        SpecCompiler.validate(spec) shouldBe emptyList()
    }
})
