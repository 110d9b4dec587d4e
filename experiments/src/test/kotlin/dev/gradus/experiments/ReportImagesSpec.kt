package dev.gradus.experiments

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.createDirectories
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.readBytes
import kotlin.io.path.readText
import kotlin.io.path.writeText
import kotlin.math.sqrt

/**
 * The report images and pages: every plotted series is in the SVG and the PNG (and a dropped one
 * is caught), and the run and sweep reports open in headless Chromium without console errors.
 * Runs and sweeps are written as records directly (no training), so this stays fast.
 */
class ReportImagesSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-report-images")
    val root = work.resolve("runs")
    val store = RunStore(root)

    /**
     * The browser checks need Chromium. Without it they fail where it is required (`.ci/run` sets
     * [HeadlessBrowser.REQUIRE_ENV] and installs it) and are skipped, with a message, elsewhere, as
     * the Fashion-MNIST cases are on a machine without the data.
     */
    fun browser(): Boolean {
        if (System.getenv(HeadlessBrowser.SKIP_ENV) == "1") return false
        if (HeadlessBrowser.executable() != null) return true
        val message = "chromium is not installed: the report's browser check needs it (apt-get install chromium; .ci/run installs it)"
        check(System.getenv(HeadlessBrowser.REQUIRE_ENV) != "1") { "$message; ${HeadlessBrowser.REQUIRE_ENV}=1 requires it" }
        System.err.println("ReportImagesSpec: $message; skipping the browser part")
        return false
    }

    fun epochs(n: Int, seed: Int, validation: Boolean = false): List<EpochRecord> = (1..n).map { e ->
        val wobble = 0.01 * ((seed * 7 + e * 3) % 5)
        EpochRecord(
            stage = "train", epoch = e, step = e * 10L, trainLoss = 1.5 / e + wobble, testLoss = 1.6 / e + 0.1 + wobble,
            testAccuracy = 0.4 + 0.1 * e + wobble, seconds = 0.1, samplesPerSecond = 1000.0,
            validationLoss = if (validation) 1.7 / e + wobble else null, validationAccuracy = if (validation) 0.35 + 0.1 * e else null,
            hyperparameters = mapOf(
                "lr" to 0.1 / e, "momentum" to 0.5 + 0.1 * e, "curriculum.share" to 0.2 * e, "curriculum.meanDifficulty" to 0.1 * e,
                "continuation.sigma" to 2.0 / e, "gradient.norm" to 3.0 / e,
            ),
        )
    }

    fun run(experiment: String, id: String, metrics: List<EpochRecord>): RunStore.Run {
        val dir = root.resolve(experiment).resolve(id).createDirectories()
        return store.Run(dir).also { it.writeMetrics(metrics) }
    }

    fun checkPlots(dir: Path, charts: Map<String, Chart>) {
        dir.resolve("plots").listDirectoryEntries().map { it.fileName.toString() }.toSet() shouldBe
            charts.keys.flatMap { listOf("$it.svg", "$it.png") }.toSet()
        for ((name, chart) in charts) {
            val svg = dir.resolve("plots/$name.svg").readText()
            val png = dir.resolve("plots/$name.png").readBytes()
            withClue(name) {
                PlotImageCheck.problems(PlotImageCheck.expected(chart), svg, png, lines = chart.series.any { it.points.size > 1 }).shouldBeEmpty()
            }
        }
    }

    fun checkPage(html: Path, charts: Map<String, Chart>) {
        if (!browser()) return
        val page = HeadlessBrowser.open(html)
        page.errors.shouldBeEmpty()
        // the plots are rendered inline: one <svg> per plot
        Regex("<svg").findAll(page.dom).count() shouldBe charts.size
        // the screenshot shows the plotted colours (the first plot's series at least)
        for (s in charts.values.first().series) withClue(s.name) { PlotImageCheck.pixelsOf(page.screenshot, s.colour) shouldBeGreaterThan 10 }
    }

    test("every series is in the SVG and the PNG; a plot missing a series fails the check") {
        val full = Chart("Loss", "epoch", "loss", integerX = true)
            .add("training loss", listOf(1.0 to 1.0, 2.0 to 0.6, 3.0 to 0.4, 4.0 to 0.3))
            .add("test loss", listOf(1.0 to 1.2, 2.0 to 0.9, 3.0 to 0.8, 4.0 to 0.85))
            .add("validation loss", listOf(1.0 to 1.1, 2.0 to 0.95, 3.0 to null, 4.0 to 0.7))
        val expected = PlotImageCheck.expected(full)
        expected.map { it.points } shouldBe listOf(4, 4, 3)
        val svg = full.svg()
        PlotImageCheck.problems(expected, svg, Chart.rasterize(svg)).shouldBeEmpty()
        // the same plot without the test loss: its legend key goes too, but the check looks inside the panel
        val dropped = Chart("Loss", "epoch", "loss", integerX = true)
            .add("training loss", listOf(1.0 to 1.0, 2.0 to 0.6, 3.0 to 0.4, 4.0 to 0.3))
            .add("test loss", emptyList())
            .add("validation loss", listOf(1.0 to 1.1, 2.0 to 0.95, 3.0 to null, 4.0 to 0.7))
        val droppedSvg = dropped.svg()
        val problems = PlotImageCheck.problems(expected, droppedSvg, Chart.rasterize(droppedSvg))
        problems.map { it.substringBefore(':') }.toSet() shouldBe setOf("test loss")
        problems.size shouldBe 3 // no point marks, no line, no pixels
        // a series with a point missing is caught too
        val short = Chart("Loss", "epoch", "loss", integerX = true)
            .add("training loss", listOf(1.0 to 1.0, 2.0 to 0.6, 3.0 to 0.4))
            .add("test loss", listOf(1.0 to 1.2, 2.0 to 0.9, 3.0 to 0.8, 4.0 to 0.85))
            .add("validation loss", listOf(1.0 to 1.1, 2.0 to 0.95, 3.0 to null, 4.0 to 0.7))
        val shortSvg = short.svg()
        PlotImageCheck.problems(expected, shortSvg, Chart.rasterize(shortSvg)).map { it.substringBefore(':') }.toSet() shouldBe setOf("training loss")
        // nothing to draw (a value never measured): no plot, rather than an empty frame
        Chart("predicted change", "step", "value").add("predicted change", listOf(0.0 to null, 1.0 to null)).hasPoints shouldBe false
        Chart("norm", "step", "value", logY = true).add("‖g‖", listOf(0.0 to 0.0)).hasPoints shouldBe false
    }

    test("run report: curves, every schedule, gradient norms, depth and curvature panels as SVG and PNG; opens in chromium") {
        val r = run("images", "20260101-000000", epochs(5, seed = 1, validation = true))
        r.writeDiagnostics(
            listOf(0, 5).flatMap { epoch ->
                (0..2).map { layer ->
                    // every statistic changes with the epoch: coinciding lines would hide each other in the images
                    fun v(base: Double) = base + 0.03 * (layer + 1) + 0.05 * epoch
                    DiagnosticsRecord(
                        epoch, epoch * 10L, "main", layer, if (layer == 2) "dense" else "dense+tanh", v(0.0), v(0.5),
                        if (layer == 2) null else v(0.1), v(0.01), v(0.1), v(1.0), if (layer == 2) null else v(0.02),
                    )
                }
            },
        )
        r.writeCurvature((0..4).map { CurvatureRecord(it, it * 10L, "main", 0.1, 2.0 / (it + 1), 5.0 / (it + 1), -0.1 / (it + 1), sqrt(2.0 / (it + 1))) })
        val charts = Report(r).charts()
        charts.keys.toList() shouldBe listOf(
            "loss", "accuracy", "schedule-lr", "schedule-momentum", "curriculum", "continuation", "gradient",
            "depth-activationMean", "depth-activationStd", "depth-saturationFraction", "depth-backpropGradientStd", "depth-weightGradientNorm",
            "depth-meanJacobianSingularValue", "depth-preActivationGradientStd",
            "curvature-gTg-gTHg", "curvature-predicted-change", "curvature-gradient-norm",
        )
        charts.getValue("loss").series.map { it.name } shouldBe listOf("training loss", "test loss", "validation loss")
        charts.getValue("curriculum").series.map { it.name } shouldBe listOf("curriculum.share", "curriculum.meanDifficulty")
        charts.getValue("depth-activationStd").series.map { it.name } shouldBe listOf("epoch 0", "epoch 5")
        val written = Report(r).write()
        written.panels shouldBe charts.size
        checkPlots(r.dir, charts)
        val html = written.html.readText()
        html shouldNotContain "<script"
        // nothing to fetch: no external scripts, styles or images (the plots are inline SVG)
        html shouldNotContain " src="
        html shouldNotContain "<link"
        checkPage(written.html, charts)
    }

    fun sweep(name: String, record: SweepRecord): Path {
        val dir = root.resolve(SweepRecord.DIR).resolve(name).createDirectories()
        dir.resolve(SweepRecord.FILE).writeText(recordJson.encodeToString(SweepRecord.serializer(), record))
        return dir
    }

    fun statistic(values: List<Double>) = SweepStatistic(
        values.size, values.average(), dev.gradus.dsl.SweepStats.sampleStd(values), values.sorted()[values.size / 2], values.min(), values.max(),
    )

    test("sweep report: mean ± std bands per configuration from the trials' runs, the summary table and the claims") {
        val trials = mutableListOf<SweepTrialRecord>()
        val finals = mutableMapOf<String, MutableList<Double>>()
        for ((c, lr) in listOf("lr=0.1" to "0.1", "lr=0.3" to "0.3")) {
            for (seed in 1..3) {
                // the lr=0.3 runs are better (series that coincide would hide each other in the images), and one of its seeds stops after 3 epochs
                val metrics = epochs(if (c == "lr=0.3" && seed == 3) 3 else 4, seed).map {
                    if (c == "lr=0.3") it.copy(testAccuracy = it.testAccuracy + 0.05, testLoss = it.testLoss - 0.2, trainLoss = it.trainLoss - 0.1) else it
                }
                run("quick-$lr", "run-$seed", metrics)
                finals.getOrPut(c) { mutableListOf() } += metrics.last().testAccuracy
                trials += SweepTrialRecord(
                    "quick-$lr", c, seed.toLong(), mapOf("optimizer.lr" to lr), RunSummary.FINISHED, "quick-$lr/run-$seed",
                    mapOf("test.accuracy" to metrics.last().testAccuracy),
                )
            }
        }
        trials += SweepTrialRecord("quick-0.3", "lr=0.3", 4, mapOf("optimizer.lr" to "0.3"), RunSummary.FAILED, null)
        val configurations = finals.map { (c, v) -> ConfigurationSummary(c, v.size, mapOf("test.accuracy" to statistic(v))) }
        val dir = sweep(
            "lr-sweep",
            SweepRecord(
                "lr-sweep", "quick.sweep.kts", "2026-01-01T00:00:00Z", trials, configurations, "lr=0.3", "max test.accuracy",
                listOf(ClaimResult("lr=0.3 beats lr=0.1 on test.accuracy", true, "0.9 ± 0.01 vs 0.85 ± 0.01 over 3 seeds")),
            ),
        )
        val report = SweepReport(store, dir)
        val charts = report.charts()
        charts.keys shouldBe setOf("sweep-test-accuracy", "sweep-test-loss", "sweep-train-loss")
        val acc = charts.getValue("sweep-test-accuracy")
        acc.series.map { it.name } shouldBe listOf("lr=0.1", "lr=0.3")
        // epoch 1 of lr=0.1: mean ± sample std of the three seeds' values
        val firsts = (1..3).map { epochs(1, it)[0].testAccuracy }
        acc.series[0].points[0].y shouldBe (firsts.average() plusOrMinus 1e-12)
        acc.series[0].points[0].upper!! - acc.series[0].points[0].y shouldBe (dev.gradus.dsl.SweepStats.sampleStd(firsts) plusOrMinus 1e-12)
        // epoch 4 of lr=0.3: only the two seeds that got there
        acc.series[1].points.size shouldBe 4
        acc.series[1].points[3].y shouldBe ((1..2).map { epochs(4, it)[3].testAccuracy + 0.05 }.average() plusOrMinus 1e-12)

        val o = ByteArrayOutputStream()
        val e = ByteArrayOutputStream()
        Cli(PrintStream(o, true), PrintStream(e, true)).run(arrayOf("report", "lr-sweep", "--out", root.toString())) shouldBe 0
        e.toString() shouldBe ""
        o.toString() shouldContain "report of sweep lr-sweep: 3 plots"
        checkPlots(dir, charts)
        // the bands are drawn: a filled, translucent area per configuration in each panel
        val svg = dir.resolve("plots/sweep-test-accuracy.svg").readText()
        Regex("""fill="rgb\(31,119,180\)"[^>]*fill-opacity="0\.2"""").findAll(svg).count() shouldBeGreaterThan 0
        Regex("""fill="rgb\(255,127,14\)"[^>]*fill-opacity="0\.2"""").findAll(svg).count() shouldBeGreaterThan 0
        val html = dir.resolve("report.html").readText()
        val s = configurations[1].statistics.getValue("test.accuracy")
        html shouldContain String.format(java.util.Locale.ROOT, "%.4g ± %.4g", s.mean, s.std)
        html shouldContain "lr=0.3 ★"
        html shouldContain "<b class=\"holds\">holds</b>: lr=0.3 beats lr=0.1 on test.accuracy"
        html shouldContain "quick-0.3/run-2"
        checkPage(dir.resolve("report.html"), charts)
    }

    test("sweep of code trials: a point with error bars per configuration for each measurement") {
        val values = mapOf("cfg-alpha" to listOf(1.0, 1.2, 1.1), "cfg-beta" to listOf(2.0, 2.5, 2.2), "cfg-gamma" to listOf(0.5))
        val trials = values.flatMap { (c, v) ->
            v.mapIndexed { i, x -> SweepTrialRecord("speed", c, i.toLong(), mapOf("variant" to c), RunSummary.FINISHED, null, mapOf("speedup" to x)) }
        }
        val dir = sweep(
            "code",
            SweepRecord(
                "code", null, "2026-01-01T00:00:00Z", trials,
                values.map { (c, v) -> ConfigurationSummary(c, v.size, mapOf("speedup" to statistic(v))) }, "cfg-beta", "max speedup",
                listOf(ClaimResult("cfg-beta is at least 2x", null, "too few trials")),
            ),
        )
        val report = SweepReport(store, dir)
        val charts = report.charts()
        charts.keys shouldBe setOf("measure-speedup")
        charts.getValue("measure-speedup").series.map { it.name } shouldBe listOf("cfg-alpha", "cfg-beta", "cfg-gamma")
        val written = report.write()
        checkPlots(dir, charts)
        val html = written.html.readText()
        html shouldContain "<b class=\"undecided\">undecided</b>"
        html shouldContain "cfg-beta ★"
        // the x axis names the configurations
        dir.resolve("plots/measure-speedup.svg").readText().let { svg -> for (c in values.keys) svg shouldContain c }
        checkPage(written.html, charts)
    }

    test("report names sweeps when nothing matches; the browser check catches script errors and missing images") {
        val e = ByteArrayOutputStream()
        Cli(PrintStream(ByteArrayOutputStream(), true), PrintStream(e, true)).run(arrayOf("report", "nothing", "--out", root.toString())) shouldBe 1
        e.toString() shouldContain "no run 'nothing'"
        e.toString() shouldContain "sweeps: code, lr-sweep"
        if (browser()) {
            val bad = work.resolve("bad.html")
            bad.writeText("<!DOCTYPE html><html><body><img src=\"missing.png\"><script>notDefined();</script></body></html>")
            val errors = HeadlessBrowser.open(bad).errors
            errors.joinToString("\n") shouldContain "missing.png"
            errors.joinToString("\n") shouldContain "notDefined"
        }
    }
})

private inline fun <T> withClue(clue: String, block: () -> T): T = io.kotest.assertions.withClue(clue, block)
