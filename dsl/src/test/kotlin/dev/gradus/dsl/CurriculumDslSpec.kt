package dev.gradus.dsl

import dev.gradus.engine.curriculum.Curriculum
import dev.gradus.engine.curriculum.EpochContext
import dev.gradus.engine.curriculum.EpochPlan
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files

/** Curricula and continuation through the DSL: builders, JSON, validation, and runs on the reference backend. */
class CurriculumDslSpec : FunSpec({
    val tiny = shapeset(train = 120, test = 30, imageSize = 8, minSize = 0.6, maxSize = 1.0, rotate = false)

    fun base(name: String = "cur", block: ExperimentBuilder.() -> Unit = {}) = experiment(name) {
        seed = 3
        backend = "reference"
        dtype = "float64"
        data = tiny
        model { dense(8, tanh); output(classes = 3) }
        optimizer = sgd(lr = 0.1)
        train { epochs = 3; batchSize = 20; evalBatchSize = 60 }
        block()
    }

    fun problems(s: ExperimentSpec) = SpecCompiler.validate(s)
    fun paths(s: ExperimentSpec) = problems(s).map { it.path }
    fun ExperimentSpec.withCurriculum(c: CurriculumSpec) = copy(curriculum = c)
    fun hyper(r: ExperimentResult) = r.result.epochs().map { it.hyperparameters() }

    context("builders") {
        test("curriculum { } and continuation { } build the expected specs") {
            val s = base {
                curriculum { difficulty = byMetadata("source"); pacing = linearPacing(from = 0.2, epochs = 10); sampling = paced() }
                continuation {
                    gaussianSmoothing(sigma = linearDecay(0.1, 20, 0.0), samples = 4)
                    labelSmoothing(fixed(0.1)); temperature(fixed(2.0)); parameterNoise(fixed(0.01))
                }
            }
            s.curriculum shouldBe CurriculumSpec(PacedSampling("easy-first"), MetadataDifficulty("source"), LinearPacingSchedule(0.2, 1.0, 10))
            s.continuation shouldBe ContinuationSpec(LinearDecaySchedule(0.1, 20, 0.0), 4, ConstantSchedule(0.1), ConstantSchedule(2.0), ConstantSchedule(0.01))
        }

        test("strategy, difficulty and data factories") {
            paced("hard-first") shouldBe PacedSampling("hard-first")
            babySteps(4) shouldBe BabyStepsSampling(4, 1)
            switchAt(2) shouldBe SwitchSampling(2)
            stochasticMixing(epochSize = 100) shouldBe StochasticMixingSampling("combined", 100)
            reweighting(0.25) shouldBe ReweightingSampling(0.25)
            selfPaced(fixed(1.0)) shouldBe SelfPacedSampling(ConstantSchedule(1.0))
            teacherStudent(epochSize = 50) shouldBe TeacherStudentSampling(50, 5, 0.1)
            replay() shouldBe ReplaySampling(1, 0.5)
            custom("my-ramp", "epochs" to 5.0) shouldBe CustomSampling("my-ramp", mapOf("epochs" to 5.0))
            randomDifficulty() shouldBe RandomDifficulty(0)
            teacher("runs/t") shouldBe TeacherDifficulty("runs/t", "loss")
            concatData(tiny, tiny, testFrom = 0) shouldBe ConcatDataSpec(listOf(tiny, tiny), 0)
        }

        test("a curriculum without sampling is an error at curriculum.sampling") {
            shouldThrow<InvalidSpecException> { base { curriculum { difficulty = randomDifficulty() } } }
                .problems.map { it.path } shouldBe listOf("curriculum.sampling")
        }
    }

    context("JSON") {
        val difficulties = listOf(MetadataDifficulty("source"), RandomDifficulty(7), TeacherDifficulty("runs/t", "margin"))
        val samplings = listOf(
            PacedSampling("random"), BabyStepsSampling(3, 2), SwitchSampling(1), StochasticMixingSampling("mix", 40),
            ReweightingSampling(0.5), SelfPacedSampling(linearDecay(1.0, 3, 2.0)), TeacherStudentSampling(30, 3, 0.2),
            ReplaySampling(2, 0.25), CustomSampling("my-ramp", mapOf("epochs" to 5.0, "from" to 0.1)),
        )
        val pacings = listOf(
            linearPacing(from = 0.2, epochs = 10), competence(from = 0.1, epochs = 8), stepPacing(0.2, 0.2, 2),
            geometricPacing(from = 0.1, epochs = 5), exponentialPacing(0.1, 2.0, 1),
        )
        val continuations = listOf(
            ContinuationSpec(),
            ContinuationSpec(gaussianSigma = linearDecay(0.1, 20, 0.0), samples = 2),
            ContinuationSpec(labelSmoothing = fixed(0.1), temperature = linearDecay(3.0, 4, 1.0), parameterNoise = fixed(0.01)),
        )

        test("every difficulty, sampling and pacing round-trips") {
            for (d in difficulties) for (s in samplings) {
                val spec = base().withCurriculum(CurriculumSpec(s, d, null))
                SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
            }
            for (p in pacings) {
                val spec = base().withCurriculum(CurriculumSpec(PacedSampling(), RandomDifficulty(), p))
                val json = SpecJson.encode(spec)
                json shouldContain "pacing-"
                SpecJson.decode(json) shouldBe spec
            }
        }

        test("every continuation and concatenated data round-trip") {
            for (c in continuations) {
                val spec = base().copy(continuation = c)
                SpecJson.decode(SpecJson.encode(spec)) shouldBe spec
            }
            val concat = base().copy(data = concatData(tiny, tiny.copy(family = "geometric"), testFrom = 0))
            SpecJson.decode(SpecJson.encode(concat)) shouldBe concat
        }

        test("a spec without curriculum or continuation encodes without the keys") {
            val json = SpecJson.encode(base())
            json shouldNotContain "\"curriculum\""
            json shouldNotContain "\"continuation\""
            SpecJson.decode(json) shouldBe base()
        }
    }

    context("validation at exact paths") {
        val rnd = RandomDifficulty()
        val pace = linearPacing(from = 0.2, epochs = 3)

        test("valid curricula have no problems") {
            problems(base().withCurriculum(CurriculumSpec(PacedSampling(), rnd, pace))) shouldBe emptyList()
            problems(base().withCurriculum(CurriculumSpec(SelfPacedSampling(fixed(1.0))))) shouldBe emptyList()
            problems(base().withCurriculum(CurriculumSpec(CustomSampling("x")))) shouldBe emptyList()
        }

        test("missing difficulty, missing pacing, unused pacing and difficulty") {
            paths(base().withCurriculum(CurriculumSpec(PacedSampling(), null, pace))) shouldBe listOf("curriculum.difficulty")
            paths(base().withCurriculum(CurriculumSpec(PacedSampling(), rnd, null))) shouldBe listOf("curriculum.pacing")
            paths(base().withCurriculum(CurriculumSpec(SwitchSampling(1), rnd, pace))) shouldBe listOf("curriculum.pacing")
            paths(base().withCurriculum(CurriculumSpec(SelfPacedSampling(fixed(1.0)), rnd, null))) shouldBe listOf("curriculum.difficulty")
            problems(base().withCurriculum(CurriculumSpec(SwitchSampling(1), rnd, pace))).single().message shouldContain "is not used by switchAt()"
        }

        test("bad order and mode") {
            paths(base().withCurriculum(CurriculumSpec(PacedSampling("sideways"), rnd, pace))) shouldBe listOf("curriculum.sampling.order")
            paths(base().withCurriculum(CurriculumSpec(StochasticMixingSampling("blend", 10), rnd, fixed(1.0)))) shouldBe listOf("curriculum.sampling.mode")
        }

        test("stochasticMixing's pacing is a level (>= 1), a fraction elsewhere") {
            paths(base().withCurriculum(CurriculumSpec(StochasticMixingSampling("naive", 10), rnd, fixed(0.5)))).single() shouldContain "curriculum.pacing"
            problems(base().withCurriculum(CurriculumSpec(StochasticMixingSampling("naive", 10), rnd, fixed(2.0)))) shouldBe emptyList()
            paths(base().withCurriculum(CurriculumSpec(PacedSampling(), rnd, fixed(2.0)))).single() shouldContain "curriculum.pacing"
        }

        test("self-paced lambda must be positive") {
            paths(base().withCurriculum(CurriculumSpec(SelfPacedSampling(fixed(0.0))))).single() shouldContain "curriculum.sampling.lambda"
            paths(base().withCurriculum(CurriculumSpec(SelfPacedSampling(fixed(-1.0))))).single() shouldContain "curriculum.sampling.lambda"
        }

        test("teacher measure and run") {
            paths(base().withCurriculum(CurriculumSpec(PacedSampling(), TeacherDifficulty("runs/t", "accuracy"), pace))) shouldBe listOf("curriculum.difficulty.measure")
            paths(base().withCurriculum(CurriculumSpec(PacedSampling(), TeacherDifficulty(" "), pace))) shouldBe listOf("curriculum.difficulty.run")
        }

        test("continuation: label smoothing >= 1, temperature with mean-squared-error, samples") {
            paths(base().copy(continuation = ContinuationSpec(labelSmoothing = fixed(1.0)))).single() shouldContain "continuation.labelSmoothing"
            paths(base().copy(continuation = ContinuationSpec(labelSmoothing = fixed(0.99)))) shouldBe emptyList()
            val mse = base { train { epochs = 3; batchSize = 20; loss = meanSquaredError } }
            problems(mse.copy(continuation = ContinuationSpec(temperature = fixed(2.0)))).map { it.path to it.message } shouldContain
                ("continuation.temperature" to "a temperature applies to softmax or sigmoid outputs, not to mean-squared-error")
            paths(base().copy(continuation = ContinuationSpec(gaussianSigma = fixed(0.1), samples = 0))) shouldBe listOf("continuation.samples")
        }

        test("concatenated parts that disagree, testFrom out of range") {
            paths(base().copy(data = concatData(tiny, tiny.copy(imageSize = 16)))) shouldBe listOf("data.parts[1]")
            paths(base().copy(data = concatData(tiny, tiny, testFrom = 2))) shouldBe listOf("data.testFrom")
            paths(base().copy(data = concatData(tiny, tiny, testFrom = -2))) shouldBe listOf("data.testFrom")
            problems(base().copy(data = concatData(tiny, tiny, testFrom = 1))) shouldBe emptyList()
        }
    }

    context("runs on the reference backend") {
        fun run(s: ExperimentSpec) = SpecCompiler.compile(s).run()
        val rnd = RandomDifficulty(1)
        val pace = linearPacing(from = 0.25, epochs = 2)

        test("each sampling strategy trains and records its metrics") {
            val strategies = listOf(
                CurriculumSpec(PacedSampling(), rnd, pace) to "curriculum.share",
                CurriculumSpec(PacedSampling("hard-first"), rnd, pace) to "curriculum.share",
                CurriculumSpec(BabyStepsSampling(3), rnd) to "curriculum.share",
                CurriculumSpec(SwitchSampling(1), byMetadata("shape")) to "curriculum.meanDifficulty",
                CurriculumSpec(ReweightingSampling(0.2), rnd, pace) to "curriculum.share",
                CurriculumSpec(SelfPacedSampling(linearDecay(1.0, 2, 3.0))) to "curriculum.lambda",
                CurriculumSpec(TeacherStudentSampling(60, window = 2), byMetadata("shape")) to "curriculum.meanDifficulty",
                CurriculumSpec(ReplaySampling(1, 0.5), byMetadata("shape")) to "curriculum.share",
            )
            for ((c, key) in strategies) {
                val r = run(base("s").withCurriculum(c))
                r.result.epochs().size shouldBe 3
                r.result.epochs().all { it.trainLoss().isFinite() } shouldBe true
                hyper(r).all { key in it } shouldBe true
            }
            // Zaremba & Sutskever's levels are 1..L; Shapeset's and concatData's metadata are 0-based, so
            // through the DSL stochasticMixing fails at run time (reported; no 1-based difficulty exists yet)
            shouldThrow<IllegalArgumentException> {
                run(base("s").withCurriculum(CurriculumSpec(StochasticMixingSampling("combined", 60), byMetadata("shape"), linearDecay(1.0, 2, 3.0))))
            }.message shouldContain "whole numbers >= 1"
            val paced = hyper(run(base().withCurriculum(CurriculumSpec(PacedSampling(), rnd, pace)))).map { it.getValue("curriculum.share") }
            paced.first() shouldBe (0.25 plusOrMinus 0.01)
            paced.last() shouldBe 1.0
        }

        test("switchAt on concatData(basic, geometric) trains only source 0 before the switch") {
            val s = base {
                data = concatData(tiny, tiny.copy(family = "geometric"))
                curriculum { difficulty = byMetadata("source"); sampling = switchAt(2) }
                train { epochs = 4; batchSize = 20; evalBatchSize = 60 }
            }
            val md = hyper(run(s)).map { it.getValue("curriculum.meanDifficulty") }
            md shouldBe listOf(0.0, 0.0, 1.0, 1.0)
        }

        test("continuation amounts appear per epoch") {
            val s = base {
                continuation {
                    gaussianSmoothing(sigma = linearDecay(0.1, 2, 0.0), samples = 2)
                    labelSmoothing(linearDecay(0.2, 2, 0.0)); temperature(linearDecay(2.0, 2, 1.0)); parameterNoise(fixed(0.001))
                }
            }
            val h = hyper(run(s))
            h.map { it.getValue("continuation.labelSmoothing") } shouldBe listOf(0.2, 0.1, 0.0)
            h.map { it.keys.filter { k -> k.startsWith("continuation.") }.toSet() }.first() shouldContainAll
                setOf("continuation.labelSmoothing", "continuation.temperature", "continuation.parameterNoise")
            h.first().keys.any { it.startsWith("continuation.") && it.contains("igma") } shouldBe true
        }

        test("a teacher difficulty from a recorded run; a missing teacher names curriculum.difficulty.run") {
            val dir = Files.createTempDirectory("gradus-teacher")
            val teacherSpec = base("teacher")
            val t = run(teacherSpec)
            Files.writeString(dir.resolve("spec.json"), SpecJson.encode(teacherSpec))
            t.parameters!!.write(dir.resolve("parameters.bin"))
            for (measure in listOf("loss", "margin")) {
                val s = base().withCurriculum(CurriculumSpec(PacedSampling(), teacher(dir.toString(), measure), pace))
                val h = hyper(run(s))
                h.all { "curriculum.meanDifficulty" in it } shouldBe true
            }
            val missing = base().withCurriculum(CurriculumSpec(PacedSampling(), teacher(dir.resolve("nope").toString()), pace))
            val e = shouldThrow<InvalidSpecException> { run(missing) }
            e.problems.map { it.path } shouldBe listOf("curriculum.difficulty.run")
        }

        test("a custom curriculum from the registry") {
            class Firsts(val k: Int) : Curriculum {
                override fun plan(context: EpochContext) = EpochPlan(IntArray(k) { it }, null, mapOf("share" to k.toDouble() / context.train().size()))
                override fun describe() = "firsts($k)"
            }
            registerCurriculum("test-firsts") { args -> Firsts(args.getValue("k").toInt()) }
            val h = hyper(run(base().withCurriculum(CurriculumSpec(custom("test-firsts", "k" to 30.0)))))
            h.map { it.getValue("curriculum.share") }.toSet() shouldBe setOf(30.0 / 120)
            shouldThrow<RuntimeException> { run(base().withCurriculum(CurriculumSpec(custom("no-such-curriculum")))) }.message shouldContain "no-such-curriculum"
        }

        test("same seed, same losses") {
            val s = base {
                curriculum { difficulty = randomDifficulty(2); pacing = pace; sampling = paced() }
                continuation { gaussianSmoothing(sigma = fixed(0.05), samples = 2) }
            }
            val a = run(s).result.epochs().map { it.trainLoss() to it.testLoss() }
            val b = run(s).result.epochs().map { it.trainLoss() to it.testLoss() }
            a shouldBe b
            val c = run(s.copy(seed = 4)).result.epochs().map { it.trainLoss() to it.testLoss() }
            c shouldNotBe a
        }
    }
})
