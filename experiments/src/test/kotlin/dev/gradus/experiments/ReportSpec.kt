package dev.gradus.experiments

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainAll
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.jsonObject
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.readBytes
import kotlin.io.path.readText
import kotlin.io.path.writeText

/** Diagnostics logged into the run record and `gradus report`, end to end on tiny generated data. */
class ReportSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-report")
    val runs = work.resolve("runs")
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    fun script(name: String, text: String): Path = work.resolve(name).also { it.writeText(text.trimIndent()) }

    val epochs = 4
    val every = 2
    val layers = 3
    val statistics = listOf(
        "activationMean", "activationStd", "saturationFraction", "backpropGradientStd", "weightGradientNorm",
        "meanJacobianSingularValue", "preActivationGradientStd",
    )

    test("a run with diagnostics writes diagnostics.jsonl: (epochs/every + 1) x layers lines with every field") {
        val f = script(
            "diag.experiment.kts",
            """
            experiment("diag") {
                seed = 7
                data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                model { dense(16, tanh); dense(12, tanh); output(classes = 3) }
                optimizer = sgd(lr = 0.1)
                train {
                    epochs = $epochs; batchSize = 32
                    diagnostics(everyEpochs = $every, batchSize = 64, jacobianExamples = 8)
                }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        val dir = runs.resolve("diag").listDirectoryEntries().single()
        val lines = Files.readAllLines(dir.resolve("diagnostics.jsonl")).filter { it.isNotBlank() }
        lines shouldHaveSize (epochs / every + 1) * layers
        val objects = lines.map { Json.parseToJsonElement(it).jsonObject }
        for (o in objects) o.keys shouldBe (listOf("epoch", "step", "phase", "layer", "kind") + statistics).toSet()
        objects.map { it["epoch"].toString().toInt() } shouldContainExactly listOf(0, 0, 0, 2, 2, 2, 4, 4, 4)
        objects.map { it["layer"].toString().toInt() } shouldContainExactly listOf(0, 1, 2, 0, 1, 2, 0, 1, 2)
        objects[0]["step"].toString() shouldBe "0"
        objects[0]["kind"].toString() shouldContain "tanh"
        // the output layer is linear: no saturation and no fused-activation pre-activation gradient (NaN → null)
        objects[2]["saturationFraction"] shouldBe JsonNull
        objects[2]["preActivationGradientStd"] shouldBe JsonNull
        objects[0]["saturationFraction"] shouldBe objects[0]["saturationFraction"]!!.also { (it is JsonNull) shouldBe false }
        val run = RunStore(runs).resolve("diag")
        run.diagnostics() shouldHaveSize 9
        run.diagnostics()[8].step shouldBe run.metrics().last().step
        dir.listDirectoryEntries().none { it.fileName.toString().endsWith(".tmp") } shouldBe true
        val shown = gradus("show", "diag", "--out", runs.toString())
        shown.code shouldBe 0
        shown.out shouldContain "diagnostics: diagnostics.jsonl (3 snapshots at epochs 0, 2, 4, 3 layers)"
    }

    test("report writes report.html with a panel per statistic and one line per recorded epoch, and plots/*.svg") {
        val r = gradus("report", "diag", "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        val dir = runs.resolve("diag").listDirectoryEntries().single()
        val html = dir.resolve("report.html")
        r.out.trim().lines().last() shouldBe html.toString()
        val text = html.readText()
        text shouldNotContain "<script"
        text shouldContain "final test accuracy"
        val charts = Report(RunStore(runs).resolve("diag")).charts()
        // loss, accuracy, the optimizer's schedules, then one panel per statistic
        charts.keys.take(2) shouldBe listOf("loss", "accuracy")
        charts.keys.filter { it.startsWith("depth-") } shouldBe statistics.map { "depth-$it" }
        Regex("<svg").findAll(text).count() shouldBe charts.size
        for (s in statistics) text shouldContain "id=\"depth-$s\""
        charts.getValue("depth-activationStd").series.map { it.name } shouldBe listOf("epoch 0", "epoch 2", "epoch 4")
        val plots = dir.resolve("plots")
        plots.listDirectoryEntries().map { it.fileName.toString() }.toSet() shouldBe
            charts.keys.flatMap { listOf("$it.svg", "$it.png") }.toSet()
        // the PNG and SVG show one line per recorded epoch, one point per layer
        val panel = plots.resolve("depth-activationStd.svg").readText()
        PlotImageCheck.problems(PlotImageCheck.expected(charts.getValue("depth-activationStd")), panel, plots.resolve("depth-activationStd.png").readBytes())
            .shouldBeEmpty()
        for (e in listOf(0, 2, 4)) panel shouldContain "epoch $e"
        plots.resolve("depth-weightGradientNorm.svg").readText() shouldContain "(log)"
        // a run folder works as well as an experiment name
        gradus("report", dir.toString()).code shouldBe 0
        gradus("show", "diag", "--out", runs.toString()).out shouldContain "report: "
    }

    test("a run without diagnostics still gets learning curves") {
        val f = script(
            "plain.experiment.kts",
            """
            experiment("plain") {
                data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                model { dense(8, relu); output(classes = 3) }
                optimizer = sgd(lr = 0.1)
                train { epochs = 2; batchSize = 50; validationFraction = 0.2 }
            }
            """,
        )
        gradus("run", f.toString(), "--out", runs.toString()).code shouldBe 0
        val dir = runs.resolve("plain").listDirectoryEntries().single()
        dir.resolve("diagnostics.jsonl").exists() shouldBe false
        val r = gradus("report", "plain", "--out", runs.toString())
        r.code shouldBe 0
        val text = dir.resolve("report.html").readText()
        val charts = Report(RunStore(runs).resolve("plain")).charts()
        charts.keys.none { it.startsWith("depth-") } shouldBe true
        Regex("<svg").findAll(text).count() shouldBe charts.size
        text shouldContain "validation loss"
        text shouldContain "No signal-propagation diagnostics"
    }

    test("report --all-runs: an experiment's finished runs over seeds as mean ± std bands in the experiment folder") {
        gradus("run", work.resolve("plain.experiment.kts").toString(), "--seed", "5", "--out", runs.toString()).code shouldBe 0
        val r = gradus("report", "plain", "--all-runs", "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        val html = runs.resolve("plain/report.html")
        r.out.trim().lines().last() shouldBe html.toString()
        html.readText() shouldContain "Gradus report: plain over 2 finished runs"
        val report = SweepReport.ofExperiment(RunStore(runs), "plain")
        val charts = report.charts()
        charts.keys shouldContainAll listOf("sweep-test-accuracy", "sweep-test-loss", "sweep-train-loss", "sweep-validation-loss")
        val accuracy = charts.getValue("sweep-test-accuracy")
        accuracy.series.single().points.size shouldBe 2 // the two epochs, each the mean over the two seeds
        val plots = runs.resolve("plain/plots")
        PlotImageCheck.problems(
            PlotImageCheck.expected(accuracy), plots.resolve("sweep-test-accuracy.svg").readText(), plots.resolve("sweep-test-accuracy.png").readBytes(),
        ).shouldBeEmpty()
        // the experiment folder still lists exactly its runs
        RunStore(runs).all().count { it.experiment == "plain" } shouldBe 2
    }

    test("help lists report; report of an unknown run is an error") {
        gradus("help").out shouldContain "report <run|sweep>"
        val r = gradus("report", "nope", "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "no run 'nope'"
    }
})
