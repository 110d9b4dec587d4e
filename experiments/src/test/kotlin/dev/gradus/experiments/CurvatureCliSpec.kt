package dev.gradus.experiments

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.readText
import kotlin.io.path.writeText

/** `train { curvature(...) }` and batch-method phases through the command line: curvature.jsonl, the report's panels, the warning. */
class CurvatureCliSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-curvature")
    val runs = work.resolve("runs")
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    test("curvature.jsonl is written atomically with the run, gradus show mentions it, and the report has the curvature panels") {
        val f = work.resolve("curv.experiment.kts").also {
            it.writeText(
                """
                experiment("curv") {
                    seed = 3
                    backend = "reference"
                    data = shapeset(family = Basic, train = 120, test = 40, imageSize = 6)
                    model { dense(8, tanh); output(classes = 3) }
                    optimizer = pipeline {
                        phase("sgd", epochs = 2) { sgd(0.1) }
                        phase("lbfgs", epochs = 2) { lbfgs(maxIter = 3) }
                        phase("mini", epochs = 1, batchSize = fixed(40.0)) { conjugateGradient() }
                    }
                    train { batchSize = 20; curvature(everyEpochs = 1, everySteps = 3, batchSize = 32) }
                }
                """.trimIndent(),
            )
        }
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        // the engine's minibatch warning for a batch method is in the run output
        r.out shouldContain "phase 'mini' ended"
        r.out shouldContain "warning: cg("
        val dir = runs.resolve("curv").listDirectoryEntries().single()
        dir.resolve("curvature.jsonl").exists() shouldBe true
        dir.listDirectoryEntries().map { it.name }.filter { it.endsWith(".tmp") } shouldHaveSize 0
        val run = RunStore(runs).resolve("curv")
        val c = run.curvature()
        // initialization; sgd: steps 3, 6, epoch 1 (6), 9, 12, epoch 2 (12); lbfgs: epochs 3, 4 (one step each); cg: step 15, epochs 5
        c.first().epoch shouldBe 0
        c.first().step shouldBe 0L
        c.first().learningRate shouldBe 0.1
        c.map { it.phase }.distinct() shouldBe listOf("sgd", "lbfgs", "mini")
        c.forEach { (it.gTg!! > 0) shouldBe true }
        run.summary()!!.phases.map { it.name } shouldBe listOf("sgd", "lbfgs", "mini")
        run.summary()!!.phases[2].stopReason shouldContain "warning"
        gradus("show", "curv", "--out", runs.toString()).out shouldContain "curvature: curvature.jsonl"
        val rep = gradus("report", "curv", "--out", runs.toString())
        rep.code shouldBe 0
        dir.resolve("plots").listDirectoryEntries().map { it.name } shouldContainAll
            listOf("curvature-gTg-gTHg.svg", "curvature-predicted-change.svg", "curvature-gradient-norm.svg", "loss.svg")
        val html = dir.resolve("report.html").readText()
        html shouldContain "Ill-conditioning"
        html shouldContain "id=\"curvature-gTg-gTHg\""
        html shouldContain "gᵀHg"
        // lets-plot draws each series as a stroked path inside the plot panel; the PNG is beside the SVG
        html shouldContain "fill=\"none\" stroke-width"
        dir.resolve("plots/curvature-gTg-gTHg.png").exists() shouldBe true
    }

    test("a run without curvature has no curvature.jsonl and no curvature section") {
        val f = work.resolve("plain.experiment.kts").also {
            it.writeText(
                """
                experiment("plain") {
                    seed = 3
                    backend = "reference"
                    data = shapeset(family = Basic, train = 120, test = 40, imageSize = 6)
                    model { dense(8, tanh); output(classes = 3) }
                    optimizer = sgd(0.1)
                    train { epochs = 1; batchSize = 20 }
                }
                """.trimIndent(),
            )
        }
        gradus("run", f.toString(), "--out", runs.toString()).code shouldBe 0
        val dir = runs.resolve("plain").listDirectoryEntries().single()
        dir.resolve("curvature.jsonl").exists() shouldBe false
        gradus("report", "plain", "--out", runs.toString()).code shouldBe 0
        dir.resolve("report.html").readText() shouldNotContain "Ill-conditioning"
    }
})
