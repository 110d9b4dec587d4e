package dev.gradus.dsl

import dev.gradus.engine.schedule.ReduceOnPlateau
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/** One instance of every schedule type, nested where a schedule takes schedules. */
internal val EVERY_SCHEDULE: List<ScheduleSpec> = listOf(
    fixed(0.1),
    stepDecay(0.1, factor = 0.5, every = 1000),
    multiStep(0.1, 0.1, 100, 200),
    exponential(0.1, rate = 1e-3),
    inverseTime(0.1, rate = 1e-2),
    linearDecay(0.1, steps = 1000, end = 0.001),
    polynomial(0.1, steps = 1000, end = 0.001, power = 2.0),
    cosine(0.1, steps = 1000),
    warmup(cosine(0.1, steps = 900), steps = 100, start = 0.01),
    join(listOf(linearDecay(0.1, 100, 0.01), fixed(0.01)), 100),
    sutskeverMomentum(0.99, every = 100),
    perEpoch(stepDecay(0.1, factor = 0.1, every = 30)),
    reduceOnPlateau(0.1, metric = "validation.accuracy", factor = 0.5, patience = 2, threshold = 0.01,
        thresholdMode = ReduceOnPlateau.ThresholdMode.ABS, cooldown = 1, minValue = 1e-5, mode = ReduceOnPlateau.Mode.MAX),
    reduceOnPlateau(cosine(0.1, steps = 1000)),
    stepPacing(0.25, 0.25, every = 2),
    linearPacing(from = 0.2, epochs = 10),
    competence(0.1, epochs = 20),
    geometricPacing(0.1, epochs = 8),
    exponentialPacing(0.1, factor = 2.0, every = 3),
)

/** One instance of every optimizer, transform and stopping-rule type. */
internal val EVERY_OPTIMIZER: List<OptimizerSpec> = listOf(
    sgd(0.1),
    sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 5e-4),
    sgd(lr = stepDecay(0.1, factor = 0.5, every = 1000), momentum = sutskeverMomentum(0.99), dampening = fixed(0.1)),
    nesterov(0.1),
    momentum(0.1, momentum = 0.8),
    nesterovBook(lr = cosine(0.1, steps = 100), momentum = fixed(0.9)),
    adagrad(lr = 0.05, lrDecay = 1e-3, weightDecay = 1e-4, eps = 1e-9, initialAccumulatorValue = 0.1),
    rmsprop(lr = 1e-3, alpha = 0.9, eps = 1e-7, momentum = 0.5, centered = true, weightDecay = 1e-4),
    rmspropNesterov(lr = 1e-3, rho = 0.95, eps = 1e-6, momentum = 0.9),
    adam(),
    adam(lr = cosine(1e-3, steps = 10_000), beta1 = fixed(0.8), amsgrad = true),
    adamw(lr = 1e-3, weightDecay = 0.05),
    adadelta(rho = 0.95),
    clipByValue(0.5),
    clipByNorm(1.0),
    clipByGlobalNorm(linearDecay(5.0, 100, 1.0)),
    weightDecay(5e-4),
    gradientNoise(),
    gradientNoise(eta = 0.3, gamma = 0.55),
    gradientNoise(variance = exponential(0.01, 1e-3)),
    polyak(1000),
    ema(0.99, debias = true),
    ema(decay = linearDecay(0.9, 100, 0.999)),
    chain(clipByGlobalNorm(1.0), weightDecay(1e-4), adam(lr = 1e-3), polyak(100)),
    groups(otherwise = sgd(0.1, weightDecay = 1e-4)) {
        group("biases", "**.bias") { sgd(0.1) }
        group("first", "layers.0.*", "layers.1.weight") { freeze() }
    },
    freeze(),
    pipeline {
        phase("adam", epochs = 5) { adam(1e-3) }
        phase("steps", until = steps(1000), batchSize = stepDecay(32.0, factor = 2.0, every = 2)) { sgd(0.1) }
        phase("target", until = target("validation.accuracy", 0.9, maxEpochs = 20), carryState = true) { sgd(0.05) }
        phase("plateau", until = plateau("validation.loss", patience = 2, maxEpochs = 20, minDelta = 1e-3)) { sgd(0.01) }
        phase("early", until = earlyStopping(patience = 3, maxEpochs = 50)) { sgd(0.001, momentum = 0.9) }
    },
)

class OptimizerJsonSpec : FunSpec({
    val json = SpecJson.json
    val base = experiment("opt") {
        data = shapeset(train = 1000, test = 100)
        model { dense(8, relu); output(classes = 3) }
        optimizer = sgd(0.1)
        train { validationFraction = 0.1 }
    }

    test("every optimizer, transform and stopping rule survives a JSON round trip, inside a spec and alone") {
        for (o in EVERY_OPTIMIZER) {
            withClue(o) {
                val spec = base.copy(optimizer = o)
                SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
                json.decodeFromString(OptimizerSpec.serializer(), json.encodeToString(OptimizerSpec.serializer(), o)) shouldBe o
            }
        }
    }

    test("every schedule survives a JSON round trip, as a hyperparameter and as a batch-size schedule") {
        for (s in EVERY_SCHEDULE) {
            withClue(s) {
                json.decodeFromString(ScheduleSpec.serializer(), json.encodeToString(ScheduleSpec.serializer(), s)) shouldBe s
                val spec = base.copy(optimizer = adam(lr = s), train = base.train.copy(batchSizeSchedule = s))
                SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
            }
        }
        val types = EVERY_SCHEDULE.filter { it !is ConstantSchedule }
            .map { json.parseToJsonElement(json.encodeToString(ScheduleSpec.serializer(), it)).jsonObject["type"]!!.jsonPrimitive.content }
        types.toSet() + "constant" shouldBe ScheduleSpecSerializer.typeNames
    }

    test("constants are written as bare numbers and read back from numbers or objects") {
        json.encodeToString(ScheduleSpec.serializer(), fixed(0.25)) shouldBe "0.25"
        json.decodeFromString(ScheduleSpec.serializer(), "3") shouldBe ConstantSchedule(3.0)
        json.decodeFromString(ScheduleSpec.serializer(), """{"type": "constant", "value": 0.5}""") shouldBe ConstantSchedule(0.5)
        json.decodeFromString(OptimizerSpec.serializer(), """{"type": "adam", "lr": 0.01, "beta2": 0.99}""") shouldBe
            AdamSpec(lr = fixed(0.01), beta2 = fixed(0.99))
        json.decodeFromString(OptimizerSpec.serializer(), """{"type": "sgd", "lr": 0.1}""") shouldBe SgdSpec(0.1)
        json.decodeFromString(
            OptimizerSpec.serializer(),
            """{"type": "sgd", "lr": {"type": "cosine", "initial": 0.1, "steps": 100}, "momentum": 0.9}""",
        ) shouldBe sgd(lr = cosine(0.1, steps = 100), momentum = fixed(0.9))
    }

    test("old specs with {\"type\": \"sgd\", \"lr\": 0.1} still decode, with the new defaults") {
        val spec = SpecJson.decode(
            """
            {"name": "old", "data": {"type": "shapeset"}, "model": {"layers": [{"type": "dense", "units": 3}]},
             "optimizer": {"type": "sgd", "lr": 0.1}, "train": {"epochs": 1, "batchSize": 16, "shuffle": true, "evalBatchSize": 100}}
            """,
        )
        spec.optimizer shouldBe SgdSpec(lr = fixed(0.1), momentum = fixed(0.0), nesterov = false, weightDecay = fixed(0.0))
        spec.train shouldBe TrainSpec(epochs = 1, batchSize = 16, evalBatchSize = 100, validationFraction = 0.0, evaluateAveraged = false)
    }

    test("golden: a pipeline's JSON") {
        val p = pipeline {
            phase("adam", epochs = 5) { chain(clipByGlobalNorm(1.0), adam(lr = 1e-3)) }
            phase("sgd", until = plateau("validation.loss", patience = 2, maxEpochs = 20), carryState = false) {
                sgd(lr = stepDecay(0.01, factor = 0.5, every = 1000), momentum = fixed(0.9))
            }
        }
        json.encodeToString(OptimizerSpec.serializer(), p) shouldBe PIPELINE_GOLDEN
        json.decodeFromString(OptimizerSpec.serializer(), PIPELINE_GOLDEN) shouldBe p
    }

    test("groups and freeze are written with their types") {
        val g = EVERY_OPTIMIZER.filterIsInstance<GroupsSpec>().single()
        val obj = json.parseToJsonElement(json.encodeToString(OptimizerSpec.serializer(), g)).jsonObject
        obj["type"]!!.jsonPrimitive.content shouldBe "groups"
        val first = (obj["groups"] as kotlinx.serialization.json.JsonArray)[1] as JsonObject
        first.keys shouldContainAll listOf("name", "patterns", "optimizer")
        json.encodeToString(OptimizerSpec.serializer(), freeze()) shouldBe "{\n    \"type\": \"freeze\"\n}"
    }

    context("malformed hyperparameters are SpecFormatExceptions naming the problem") {
        fun decodeLr(lr: String) = SpecJson.decode(
            SpecJson.encode(base.copy(optimizer = adam())).replace("\"lr\": 0.001", "\"lr\": $lr"),
        )
        test("a string") { shouldThrow<SpecFormatException> { decodeLr("\"fast\"") }.message shouldContain "a hyperparameter is a number or a schedule object" }
        test("an unknown schedule type") {
            val e = shouldThrow<SpecFormatException> { decodeLr("""{"type": "cosin", "initial": 0.1, "steps": 10}""") }
            e.message shouldContain "unknown schedule type 'cosin'"
            e.message shouldContain "cosine"
        }
        test("no type") { shouldThrow<SpecFormatException> { decodeLr("""{"initial": 0.1}""") }.message shouldContain "needs a \"type\"" }
        test("an unknown key") { shouldThrow<SpecFormatException> { decodeLr("""{"type": "cosine", "initial": 0.1, "steps": 10, "warm": 1}""") }.message shouldContain "warm" }
        test("a missing argument") { shouldThrow<SpecFormatException> { decodeLr("""{"type": "cosine", "initial": 0.1}""") }.message shouldContain "steps" }
        test("NaN, bare or inside a schedule") {
            shouldThrow<SpecFormatException> { decodeLr("NaN") }
            shouldThrow<SpecFormatException> { decodeLr("""{"type": "cosine", "initial": NaN, "steps": 10}""") }
            shouldThrow<SpecFormatException> { decodeLr("1e400") }
        }
        test("null where a hyperparameter is required") { shouldThrow<SpecFormatException> { decodeLr("null") } }
    }

    test("a spec with a non-finite schedule argument cannot be written") {
        shouldThrow<SpecFormatException> { SpecJson.encode(base.copy(optimizer = adam(lr = cosine(Double.NaN, 10)))) }
        shouldThrow<SpecFormatException> { SpecJson.encode(base.copy(optimizer = adam(lr = Double.POSITIVE_INFINITY))) }
    }
}) {
    companion object {
        val PIPELINE_GOLDEN = """
            {
                "type": "pipeline",
                "phases": [
                    {
                        "name": "adam",
                        "optimizer": {
                            "type": "chain",
                            "transforms": [
                                {
                                    "type": "clip-by-global-norm",
                                    "maxNorm": 1.0
                                },
                                {
                                    "type": "adam",
                                    "lr": 0.001,
                                    "beta1": 0.9,
                                    "beta2": 0.999,
                                    "eps": 1.0E-8,
                                    "amsgrad": false,
                                    "weightDecay": 0.0
                                }
                            ]
                        },
                        "until": {
                            "type": "epochs",
                            "epochs": 5
                        },
                        "carryState": false,
                        "batchSize": null
                    },
                    {
                        "name": "sgd",
                        "optimizer": {
                            "type": "sgd",
                            "lr": {
                                "type": "step-decay",
                                "initial": 0.01,
                                "factor": 0.5,
                                "every": 1000
                            },
                            "momentum": 0.9,
                            "nesterov": false,
                            "weightDecay": 0.0,
                            "dampening": 0.0
                        },
                        "until": {
                            "type": "plateau",
                            "metric": "validation.loss",
                            "patience": 2,
                            "maxEpochs": 20,
                            "minDelta": 0.0
                        },
                        "carryState": false,
                        "batchSize": null
                    }
                ]
            }
        """.trimIndent()
    }
}
