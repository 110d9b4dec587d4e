package dev.gradus.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

class SpecJsonSpec : FunSpec({
    val quick = experiment("quickstart") {
        seed = 7
        data = shapeset(family = Basic, train = 10_000, test = 2_000)
        model { dense(16, relu); output(classes = 3) }
        optimizer = sgd(lr = 0.1)
        train { epochs = 5; batchSize = 64 }
    }

    test("golden: field names, type discriminators and defaults are written") {
        SpecJson.encode(quick) shouldBe GOLDEN
    }

    test("round trip: spec -> json -> spec") {
        SpecJson.decode(SpecJson.encode(quick)) shouldBe quick
        val fashion = quick.copy(
            name = "fm",
            data = fashionMnist(trainLimit = 100, dir = "/tmp/fm"),
            model = ModelSpec(listOf(DenseSpec(10, "tanh", glorotUniform(0.5), constant(0.01)))),
        )
        SpecJson.decode(SpecJson.encode(fashion)) shouldBe fashion
        SpecJson.encode(fashion) shouldContain "\"type\": \"fashion-mnist\""
        SpecJson.encode(fashion) shouldContain "\"testLimit\": null"
    }

    test("omitted fields take their defaults") {
        val spec = SpecJson.decode(
            """
            {"name": "minimal",
             "data": {"type": "shapeset"},
             "model": {"layers": [{"type": "dense", "units": 3}]},
             "optimizer": {"type": "sgd", "lr": 0.1}}
            """,
        )
        spec shouldBe ExperimentSpec(
            name = "minimal",
            data = ShapesetSpec(),
            model = ModelSpec(listOf(DenseSpec(3))),
            optimizer = SgdSpec(0.1),
        )
        SpecCompiler.validate(spec) shouldBe emptyList()
    }

    test("an unknown key is an error naming it") {
        val e = shouldThrow<SpecFormatException> {
            SpecJson.decode(GOLDEN.replace("\"imageSize\": 32", "\"imagesize\": 32"))
        }
        e.message shouldContain "imagesize"
        e.message shouldContain "$.data"
    }

    test("an unknown type is an error naming the type and the place") {
        val e = shouldThrow<SpecFormatException> {
            // (was "lbfgs", which is a known optimizer type since the batch methods joined the DSL)
            SpecJson.decode(GOLDEN.replace("\"type\": \"sgd\"", "\"type\": \"shampoo\""))
        }
        e.message shouldContain "shampoo"
        e.message shouldContain "$.optimizer"
    }

    test("a missing required field is an error naming it") {
        val e = shouldThrow<SpecFormatException> { SpecJson.decode("""{"name": "x", "data": {"type": "shapeset"}}""") }
        e.message shouldContain "model"
    }

    test("wrong value types are errors with their path") {
        val e = shouldThrow<SpecFormatException> { SpecJson.decode(GOLDEN.replace("\"units\": 16", "\"units\": \"many\"")) }
        e.message shouldContain "$.model.layers[0].units"
    }

    test("NaN and Infinity are not JSON: rejected") {
        shouldThrow<SpecFormatException> { SpecJson.decode(GOLDEN.replace("\"lr\": 0.1", "\"lr\": NaN")) }
        shouldThrow<SpecFormatException> { SpecJson.decode(GOLDEN.replace("\"lr\": 0.1", "\"lr\": Infinity")) }
    }

    test("a spec holding NaN cannot be written") {
        val e = shouldThrow<SpecFormatException> { SpecJson.encode(quick.copy(optimizer = sgd(Double.NaN))) }
        e.message shouldContain "cannot write experiment 'quickstart' as JSON"
    }

    test("malformed text is a SpecFormatException") {
        shouldThrow<SpecFormatException> { SpecJson.decode("{\"name\": ") }
        shouldThrow<SpecFormatException> { SpecJson.decode("[]") }
    }

    test("a future version that does not decode says which version it is") {
        val future = GOLDEN.replace("\"version\": 1,", "\"version\": 2,\n    \"scheduler\": {},")
        val e = shouldThrow<SpecFormatException> { SpecJson.decode(future) }
        e.message shouldContain "unsupported spec version 2 (this build reads version 1)"
    }

    test("a decodable spec of another version is caught by validation") {
        val spec = SpecJson.decode(GOLDEN.replace("\"version\": 1,", "\"version\": 0,"))
        SpecCompiler.validate(spec) shouldBe listOf(SpecProblem("version", "unsupported spec version 0 (this build reads version 1)"))
    }
}) {
    companion object {
        val GOLDEN = """
            {
                "version": 1,
                "name": "quickstart",
                "seed": 7,
                "backend": "pytorch",
                "device": "cpu",
                "dtype": "float32",
                "data": {
                    "type": "shapeset",
                    "family": "basic",
                    "train": 10000,
                    "test": 2000,
                    "imageSize": 32,
                    "minSize": 0.4,
                    "maxSize": 0.8,
                    "rotate": true,
                    "inversionProbability": 0.0,
                    "greyLevels": true
                },
                "model": {
                    "layers": [
                        {
                            "type": "dense",
                            "units": 16,
                            "activation": "relu",
                            "weightInit": {
                                "name": "glorot-uniform",
                                "args": {
                                    "gain": 1.0
                                }
                            },
                            "biasInit": {
                                "name": "zeros",
                                "args": {}
                            }
                        },
                        {
                            "type": "dense",
                            "units": 3,
                            "activation": "identity",
                            "weightInit": {
                                "name": "glorot-uniform",
                                "args": {
                                    "gain": 1.0
                                }
                            },
                            "biasInit": {
                                "name": "zeros",
                                "args": {}
                            }
                        }
                    ]
                },
                "optimizer": {
                    "type": "sgd",
                    "lr": 0.1,
                    "momentum": 0.0,
                    "nesterov": false,
                    "weightDecay": 0.0,
                    "dampening": 0.0
                },
                "train": {
                    "epochs": 5,
                    "batchSize": 64,
                    "shuffle": true,
                    "evalBatchSize": 1000,
                    "validationFraction": 0.0,
                    "evaluateAveraged": false,
                    "batchSizeSchedule": null,
                    "loss": "softmax-cross-entropy"
                }
            }
        """.trimIndent()
    }
}
