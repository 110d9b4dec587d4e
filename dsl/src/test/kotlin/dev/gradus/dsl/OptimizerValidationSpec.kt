package dev.gradus.dsl

import dev.gradus.engine.nn.PathPattern
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withTests
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

private data class OptCase(val name: String, val spec: ExperimentSpec, val path: String, val message: String)

class OptimizerValidationSpec : FunSpec({
    // layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias; 10,000 training examples
    val base = experiment("opt") {
        backend = "reference"
        data = shapeset(train = 10_000, test = 1_000)
        model { dense(16, relu); output(classes = 3) }
        optimizer = sgd(0.1)
        train { epochs = 2; batchSize = 100 }
    }
    val held = base.copy(train = base.train.copy(validationFraction = 0.1))

    fun ExperimentSpec.with(o: OptimizerSpec) = copy(optimizer = o)
    fun ExperimentSpec.train(f: (TrainSpec) -> TrainSpec) = copy(train = f(train))
    fun twoPhases(second: StopSpec, carry: Boolean = false, first: OptimizerSpec = adam(1e-3), then: OptimizerSpec = sgd(0.01, momentum = 0.9)) =
        pipeline {
            phase("adam", until = epochs(2), optimizer = first)
            phase("sgd", until = second, optimizer = then, carryState = carry)
        }

    val testMetric = "'test.loss' cannot drive a decision: the test split is only reported; hold out a validation split" +
        " and use validation.loss or validation.accuracy"
    val needsSplit = { m: String ->
        "'$m' needs a validation split, but train.validationFraction is 0.0; hold out part of the training data, e.g. train { validationFraction = 0.1 }"
    }
    val params = "layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias"

    test("the target syntax validates") {
        for (
        o in listOf(
            adam(lr = 1e-3),
            sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 5e-4),
            chain(clipByGlobalNorm(1.0), adam(lr = cosine(1e-3, steps = 10_000))),
            sgd(lr = stepDecay(0.1, factor = 0.5, every = 1000), momentum = sutskeverMomentum(0.99)),
            sgd(lr = warmup(cosine(0.1, 1000), steps = 100), momentum = sutskeverMomentum(1.0)),
            groups(otherwise = sgd(0.1, weightDecay = 1e-4)) { group("biases", "**.bias") { sgd(0.1) }; group("first", "layers.0.*") { freeze() } },
            twoPhases(plateau("validation.loss", patience = 2, maxEpochs = 20)),
            chain(gradientNoise(), weightDecay(1e-4), groups { group("all", "**") { chain(sgd(0.1), polyak(10)) } }, clipByNorm(1.0)),
            sgd(lr = reduceOnPlateau(0.1, metric = "validation.accuracy", patience = 1)),
            sgd(lr = perEpoch(stepDecay(0.1, factor = 0.1, every = 30))),
        )
        ) {
            SpecCompiler.validate(held.with(o)) shouldBe emptyList()
        }
    }

    context("each kind of optimizer problem is reported with its path") {
        withTests(
            nameFn = { it.name },
            OptCase("zero learning rate", base.with(adam(lr = 0.0)), "optimizer.lr", "must be > 0 and finite, got 0.0"),
            OptCase("momentum of 1", base.with(sgd(0.1, momentum = 1.0)), "optimizer.momentum", "must be in [0, 1), got 1.0"),
            OptCase("beta2 of 1", base.with(adam(beta2 = 1.0)), "optimizer.beta2", "must be in [0, 1), got 1.0"),
            OptCase("negative weight decay", base.with(adamw(weightDecay = -1.0)), "optimizer.weightDecay", "must be >= 0 and finite, got -1.0"),
            OptCase("negative eps", base.with(rmsprop(eps = -1e-8)), "optimizer.eps", "must be >= 0 and finite, got -1.0E-8"),
            OptCase("rho above 1", base.with(adadelta(rho = 1.5)), "optimizer.rho", "must be in [0, 1], got 1.5"),
            OptCase("negative accumulator", base.with(adagrad(initialAccumulatorValue = -1.0)), "optimizer.initialAccumulatorValue",
                "must be >= 0 and finite, got -1.0"),
            OptCase("nesterov without momentum", base.with(sgd(0.1, nesterov = true)), "optimizer.nesterov", "Nesterov momentum needs a momentum > 0"),
            OptCase("rmsprop nesterov without momentum", base.with(rmspropNesterov(0.01, momentum = 0.0)), "optimizer.momentum",
                "RMSProp with Nesterov momentum needs a momentum > 0"),
            OptCase("schedule steps", base.with(adam(lr = cosine(1e-3, steps = 0))), "optimizer.lr.steps", "must be > 0, got 0"),
            OptCase("nested schedule steps", base.with(adam(lr = warmup(cosine(1e-3, steps = -5), steps = 10))), "optimizer.lr.after.steps",
                "must be > 0, got -5"),
            OptCase("join boundaries", base.with(adam(lr = join(listOf(fixed(0.1), fixed(0.01))))), "optimizer.lr.boundaries",
                "needs one boundary between each two parts (1), got 0"),
            OptCase("milestones out of order", base.with(sgd(lr = multiStep(0.1, 0.1, 200, 100))), "optimizer.lr.milestones[1]",
                "must be > milestones[0] (200), got 100"),
            OptCase("decay factor", base.with(sgd(lr = stepDecay(0.1, factor = 0.0, every = 10))), "optimizer.lr.factor",
                "must be > 0 and finite, got 0.0"),
            OptCase("learning rate schedule going negative", base.with(sgd(lr = linearDecay(0.1, 100, -0.01))), "optimizer.lr",
                "must be >= 0 at every step, but the schedule's values range over [-0.01, 0.1]"),
            OptCase("momentum schedule reaching 1", base.with(sgd(lr = fixed(0.1), momentum = linearDecay(0.5, 100, 1.0))), "optimizer.momentum",
                "must be in [0, 1) at every step, but the schedule's values range over [0.5, 1.0]"),
            OptCase("sutskever max", base.with(sgd(lr = fixed(0.1), momentum = sutskeverMomentum(1.5))), "optimizer.momentum.max",
                "must be in [0, 1], got 1.5"),
            OptCase("clip threshold decaying to 0", base.with(chain(clipByValue(cosine(1.0, 100)), sgd(0.1))), "optimizer.transforms[0].threshold",
                "must be > 0 at every step, but the schedule's values range over [0.0, 1.0]"),
            OptCase("clip norm", base.with(chain(clipByGlobalNorm(0.0), sgd(0.1))), "optimizer.transforms[0].maxNorm",
                "must be > 0 and finite, got 0.0"),
            OptCase("ema decay", base.with(chain(sgd(0.1), ema(1.5))), "optimizer.transforms[1].decay", "must be in [0, 1], got 1.5"),
            OptCase("noise given twice", base.with(chain(GradientNoiseSpec(eta = 0.1, variance = fixed(0.1)), sgd(0.1))),
                "optimizer.transforms[0].eta", "give either eta and gamma or a variance schedule, not both"),
            OptCase("negative polyak start", base.with(chain(sgd(0.1), polyak(-1))), "optimizer.transforms[1].fromStep", "must be >= 0, got -1"),
            OptCase("plateau factor", base.with(sgd(lr = reduceOnPlateau(0.1, metric = "train.loss", factor = 1.5))), "optimizer.lr.factor",
                "must be in (0, 1), got 1.5"),
            OptCase("test metric for reduce-on-plateau", held.with(sgd(lr = reduceOnPlateau(0.1, metric = "test.loss"))), "optimizer.lr.metric",
                testMetric),
            OptCase("validation metric without a split", base.with(sgd(lr = reduceOnPlateau(0.1, metric = "validation.accuracy"))),
                "optimizer.lr.metric", needsSplit("validation.accuracy")),
            OptCase("unknown metric", held.with(twoPhases(target("val.acc", 0.9, 10))), "optimizer.phases[1].until.metric",
                "unknown metric 'val.acc'; known: train.loss, validation.loss, validation.accuracy"),
            OptCase("test metric for a stop", held.with(twoPhases(plateau("test.loss", patience = 2, maxEpochs = 20))),
                "optimizer.phases[1].until.metric", testMetric),
            OptCase("validation metric for a stop without a split", base.with(twoPhases(plateau("validation.loss", patience = 2, maxEpochs = 20))),
                "optimizer.phases[1].until.metric", needsSplit("validation.loss")),
            OptCase("early stopping on the training loss", held.with(twoPhases(earlyStopping("train.loss", patience = 2, maxEpochs = 20))),
                "optimizer.phases[1].until.metric",
                "early stopping watches a validation metric (validation.loss or validation.accuracy), not 'train.loss'"),
            OptCase("zero patience", held.with(twoPhases(plateau("train.loss", patience = 0, maxEpochs = 20))), "optimizer.phases[1].until.patience",
                "must be > 0, got 0"),
            OptCase("accuracy target above 1", held.with(twoPhases(target("validation.accuracy", 90.0, 10))), "optimizer.phases[1].until.value",
                "an accuracy target must be in [0, 1], got 90.0"),
            OptCase("zero epochs", base.with(twoPhases(epochs(0))), "optimizer.phases[1].until.epochs", "must be > 0, got 0"),
            OptCase("empty pipeline", base.with(PipelineSpec(emptyList())), "optimizer.phases", "a pipeline needs at least one phase"),
            OptCase("duplicate phase names",
                base.with(pipeline { phase("a", epochs = 1) { adam() }; phase("a", epochs = 1) { sgd(0.1) } }),
                "optimizer.phases[1].name", "'a' is already the name of phases[0]"),
            OptCase("carrying state into the first phase",
                base.with(pipeline { phase("a", epochs = 1, carryState = true) { adam() } }),
                "optimizer.phases[0].carryState", "the first phase has no previous optimizer state to carry"),
            OptCase("carrying Adam's state into SGD", base.with(twoPhases(epochs(1), carry = true)), "optimizer.phases[1].carryState",
                "carrying state needs the same optimizer structure as the previous phase ('adam': adam), got sgd+momentum; " +
                    "set carryState = false to start fresh"),
            OptCase("pipeline inside a chain", base.with(chain(adam(), twoPhases(epochs(1)))), "optimizer.transforms[1]",
                "a pipeline may appear only at the top level (optimizer = pipeline { ... }), not inside a chain, group or phase"),
            OptCase("pipeline inside a phase", base.with(pipeline { phase("outer", epochs = 1) { twoPhases(epochs(1)) } }),
                "optimizer.phases[0].optimizer", "a pipeline cannot be nested in a phase; list its phases in the top-level pipeline"),
            OptCase("averager not last", base.with(chain(sgd(0.1), polyak(), clipByGlobalNorm(1.0))), "optimizer.transforms[1]",
                "polyak must be the last transform of its chain (it averages the parameters after each update), " +
                    "but clipByGlobalNorm follows it (at optimizer.transforms[2])"),
            OptCase("averager not last through nesting", base.with(chain(chain(sgd(0.1), ema()), clipByNorm(1.0))), "optimizer.transforms[0].transforms[1]",
                "ema must be the last transform of its chain (it averages the parameters after each update), " +
                    "but clipByNorm follows it (at optimizer.transforms[1])"),
            OptCase("a transform alone", base.with(clipByGlobalNorm(1.0)), "optimizer",
                "clipByGlobalNorm alone does not update the parameters; chain it with an optimizer, e.g. chain(clipByGlobalNorm(...), sgd(lr = 0.1))"),
            OptCase("a chain without an optimizer", base.with(chain(clipByGlobalNorm(1.0), weightDecay(1e-4))), "optimizer",
                "this chain has no optimizer: clipping, weight decay, noise and averaging only transform the gradients; " +
                    "add one, e.g. chain(clipByGlobalNorm(1.0), sgd(lr = 0.1))"),
            OptCase("two optimizers in a chain", base.with(chain(adam(), sgd(0.1))), "optimizer.transforms[1]",
                "a chain applies one optimizer, but sgd follows adam (at optimizer.transforms[0])"),
            OptCase("weight decay after the optimizer", base.with(chain(sgd(0.1), weightDecay(1e-4))), "optimizer.transforms[1]",
                "weight decay after the optimizer would add λθ to its update and grow the weights; chain it before the optimizer"),
            OptCase("empty chain", base.with(chain()), "optimizer.transforms", "a chain needs at least one transform"),
            OptCase("malformed pattern",
                base.with(groups(otherwise = sgd(0.1)) { group("w", "lay*.weight") { sgd(0.01) } }), "optimizer.groups[0].patterns[0]",
                runCatching { PathPattern.of("lay*.weight") }.exceptionOrNull()!!.message!!),
            OptCase("group matching nothing",
                base.with(groups(otherwise = sgd(0.1)) { group("conv", "conv.*") { sgd(0.01) } }), "optimizer.groups[0].patterns",
                "group 'conv' matches no parameter of the model (parameters: $params)"),
            OptCase("group starved by an earlier one",
                base.with(groups(otherwise = sgd(0.1)) { group("all", "**") { sgd(0.01) }; group("biases", "**.bias") { freeze() } }),
                "optimizer.groups[1].patterns",
                "group 'biases' gets no parameter: layers.0.bias, layers.1.bias went to earlier groups (each parameter goes to the first group that matches it)"),
            OptCase("unclaimed parameters without otherwise",
                base.with(groups { group("biases", "**.bias") { sgd(0.1) } }), "optimizer.otherwise",
                "is not set, but no group claims layers.0.weight, layers.1.weight; add otherwise = ... or a group whose pattern matches them"),
            OptCase("reserved group name",
                base.with(groups(otherwise = sgd(0.1)) { group("default", "**.bias") { sgd(0.1) } }), "optimizer.groups[0].name",
                "'default' is reserved for the parameters no group claims (otherwise)"),
            OptCase("a group without an optimizer",
                base.with(groups(otherwise = sgd(0.1)) { group("biases", "**.bias") { clipByNorm(1.0) } }), "optimizer.groups[0].optimizer",
                "clipByNorm alone does not update the parameters; chain it with an optimizer, e.g. chain(clipByNorm(...), sgd(lr = 0.1))"),
            OptCase("a bad hyperparameter inside a group",
                base.with(groups(otherwise = sgd(0.1)) { group("biases", "**.bias") { sgd(-0.1) } }), "optimizer.groups[0].optimizer.lr",
                "must be > 0 and finite, got -0.1"),
            OptCase("evaluating averages without an averager", base.train { it.copy(evaluateAveraged = true) }, "train.evaluateAveraged",
                "is on but the optimizer keeps no averaged parameters: chain polyak(...) or ema(...) last, e.g. chain(sgd(0.1), polyak(1000)) " +
                    "(averagers inside parameter groups are not used for evaluation)"),
            OptCase("validation fraction of 1", base.train { it.copy(validationFraction = 1.0) }, "train.validationFraction",
                "must be in [0, 1), got 1.0"),
            OptCase("validation fraction holding out nothing", base.train { it.copy(validationFraction = 1e-6) }, "train.validationFraction",
                "1.0E-6 of 10000 training examples holds out 0 for validation; need at least 1 for validation and 1 for training"),
            OptCase("batch larger than what the hold-out leaves",
                base.copy(data = shapeset(train = 1000, test = 100)).train { it.copy(validationFraction = 0.5, batchSize = 600) },
                "train.batchSize", "600 is larger than the training set (500 examples after holding out 500 for validation)"),
            OptCase("per-epoch batch-size schedule", base.train { it.copy(batchSizeSchedule = perEpoch(fixed(64.0))) }, "train.batchSizeSchedule",
                "a batch-size schedule is already read by epoch; perEpoch(...) does not apply to it"),
            OptCase("batch size on a plateau", held.train { it.copy(batchSizeSchedule = reduceOnPlateau(64.0)) }, "train.batchSizeSchedule",
                "a batch size cannot be reduced on a plateau (only optimizer schedules see the metrics)"),
            OptCase("batch size decaying below 1", base.train { it.copy(batchSizeSchedule = stepDecay(64.0, factor = 0.5, every = 2)) },
                "train.batchSizeSchedule", "must be >= 1 at every epoch, but the schedule's values range over (0.0, 64.0]"),
            OptCase("phase batch size", base.with(pipeline { phase("a", epochs = 1, batchSize = fixed(0.0)) { sgd(0.1) } }),
                "optimizer.phases[0].batchSize", "must be >= 1, got 0.0"),
            OptCase("per-epoch schedule with a scheduled batch size",
                base.with(pipeline { phase("a", epochs = 1, batchSize = linearDecay(32.0, 10, 64.0)) { sgd(lr = perEpoch(fixed(0.1))) } }),
                "optimizer.phases[0].optimizer.lr",
                "perEpoch needs a fixed batch size to count the steps of an epoch, but this phase's batch size is a schedule"),
        ) { (_, spec, path, message) ->
            SpecCompiler.validate(spec) shouldContainExactly listOf(SpecProblem(path, message))
            shouldThrow<InvalidSpecException> { SpecCompiler.compile(spec) }.message shouldContain "\n$path: $message"
        }
    }

    test("problems in several phases, groups and schedules are all found at once") {
        val bad = base.copy(
            optimizer = pipeline {
                phase("a", until = plateau("test.loss", patience = 0, maxEpochs = 5)) { chain(clipByGlobalNorm(-1.0), adam(lr = cosine(1e-3, steps = 0))) }
                phase("b", epochs = 2) {
                    groups { group("x", "lay*") { sgd(0.1, momentum = 2.0) } }
                }
            },
            train = base.train.copy(evaluateAveraged = true),
        )
        SpecCompiler.validate(bad).map { it.path } shouldContainExactly listOf(
            "optimizer.phases[0].optimizer.transforms[0].maxNorm",
            "optimizer.phases[0].optimizer.transforms[1].lr.steps",
            "optimizer.phases[0].until.metric",
            "optimizer.phases[0].until.patience",
            "optimizer.phases[1].optimizer.groups[0].patterns[0]",
            "optimizer.phases[1].optimizer.groups[0].optimizer.momentum",
            "train.evaluateAveraged",
        )
    }
})
