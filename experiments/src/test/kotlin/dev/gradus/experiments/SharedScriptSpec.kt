package dev.gradus.experiments

import dev.gradus.dsl.script.importedPaths
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.createDirectories
import kotlin.io.path.exists
import kotlin.io.path.writeText

/** Shared scripts: `@file:Import("shared/my-curricula.kts")` from several experiment scripts, through the CLI. */
class SharedScriptSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-shared")
    val runs = work.resolve("runs")
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    fun file(name: String, text: String): Path = work.resolve(name).also { it.parent.createDirectories(); it.writeText(text.trimIndent() + "\n") }

    // the shared library: a code-defined curriculum registered by name, and a spec preset in an object
    fun shared(version: Double) = """
        import dev.gradus.engine.curriculum.Curriculum
        import dev.gradus.engine.curriculum.EpochContext
        import dev.gradus.engine.curriculum.EpochPlan

        class MyRamp(private val epochs: Double) : Curriculum {
            override fun plan(context: EpochContext): EpochPlan {
                val n = context.train().size()
                val k = maxOf(1, Math.round(minOf(1.0, context.epoch() / epochs) * n).toInt())
                return EpochPlan(context.random().permutation(n).copyOf(k), null, mapOf("share" to k.toDouble() / n, "version" to $version))
            }
            override fun describe(): String = "my-ramp(${'$'}epochs)"
        }

        registerCurriculum("my-ramp") { args -> MyRamp(args.getValue("epochs")) }

        object Presets {
            fun ramp(epochs: Long): CurriculumSpec =
                CurriculumSpec(paced(), randomDifficulty(1), linearPacing(from = 0.5, epochs = epochs))
        }
    """

    fun body(name: String, curriculum: String = "") = """
        experiment("$name") {
            seed = 3
            data = shapeset(family = Basic, train = 200, test = 50, imageSize = 8)
            model { dense(8, tanh); output(classes = 3) }
            $curriculum
            optimizer = sgd(lr = 0.1)
            train { epochs = 2; batchSize = 25 }
        }
    """.trimIndent()

    fun experimentScript(name: String, curriculum: String) = "@file:Import(\"shared/my-curricula.kts\")\n\n" + body(name, curriculum)

    file("shared/my-curricula.kts", shared(1.0))
    val a = file("a.experiment.kts", experimentScript("a", "curriculum { sampling = custom(\"my-ramp\", \"epochs\" to 2.0) }"))
    val b = file("b.experiment.kts", experimentScript("b", "curriculum = Presets.ramp(2)") .replace(
        "experiment(\"b\")", "experiment(\"b-custom\") { seed = 3; data = shapeset(family = Basic, train = 200, test = 50, imageSize = 8); " +
            "model { dense(8, tanh); output(classes = 3) }; curriculum { sampling = custom(\"my-ramp\", \"epochs\" to 4.0) }; optimizer = sgd(lr = 0.1); " +
            "train { epochs = 2; batchSize = 25 } }\nexperiment(\"b\")",
    ))

    fun hyper(experiment: String) = RunStore(runs).resolve(experiment).metrics().map { it.hyperparameters }

    test("a code-defined curriculum from a shared script is usable from two experiment scripts") {
        val ra = gradus("run", a.toString(), "--out", runs.toString())
        ra.err shouldBe ""
        ra.code shouldBe 0
        hyper("a").map { it.getValue("curriculum.share") } shouldBe listOf(0.5, 1.0)
        hyper("a").map { it.getValue("curriculum.version") } shouldBe listOf(1.0, 1.0)

        val rb = gradus("run", b.toString(), "--out", runs.toString())
        rb.err shouldBe ""
        rb.code shouldBe 0
        hyper("b-custom").map { it.getValue("curriculum.share") } shouldBe listOf(0.25, 0.5)
        hyper("b").map { it.getValue("curriculum.share") } shouldBe listOf(0.5, 0.75)   // linearPacing(from = 0.5, epochs = 2) at epochs 0, 1
    }

    test("editing the shared script is picked up (the compiled-script cache is keyed on it)") {
        gradus("run", a.toString(), "--out", runs.toString()).out shouldContain "(cached)"
        file("shared/my-curricula.kts", shared(2.0))
        val r = gradus("run", a.toString(), "--out", runs.toString())
        r.code shouldBe 0
        r.out shouldNotContain "(cached)"
        hyper("a").map { it.getValue("curriculum.version") } shouldBe listOf(2.0, 2.0)
    }

    test("imports are found transitively, several paths per annotation, relative to the importing file") {
        file("lib/one.kts", "@file:Import(\"two.kts\")\nval one: Int = two + 1")
        file("lib/two.kts", "val two: Int = 2")
        file("lib/three.kts", "val three: Int = 3")
        val c = file("c.experiment.kts", "@file:Import(\"lib/one.kts\", \"lib/three.kts\")\nrequire(one == 3 && three == 3)\n" +
            body("c"))
        importedPaths(c.toFile()).map { it.name } shouldBe listOf("one.kts", "two.kts", "three.kts")
        val r = gradus("run", c.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        // a change two levels down recompiles
        file("lib/two.kts", "val two: Int = 5")
        val again = gradus("run", c.toString(), "--out", runs.toString())
        again.code shouldBe 1
        again.err shouldContain "c.experiment.kts:2: error:"
    }

    test("a missing imported file is an error at the importing script's line") {
        val m = file("missing.experiment.kts", "// uses a library that is not there\n@file:Import(\"shared/nope.kts\")\n" + body("missing"))
        val r = gradus("run", m.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "missing.experiment.kts:2:"
        r.err shouldContain "imported script 'shared/nope.kts' not found"
        runs.resolve("missing").exists() shouldBe false
    }

    test("an exception thrown in a shared script names the shared file") {
        file("shared/bad.kts", "val ok: Int = 1\nval boom: Int = listOf(1)[3]")
        val m = file("bad.experiment.kts", "@file:Import(\"shared/bad.kts\")\n" + body("bad"))
        val r = gradus("run", m.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "bad.experiment.kts: error: the imported script "
        r.err shouldContain "shared/bad.kts failed while running"
    }
})
