package dev.gradus.experiments

import dev.gradus.dsl.SweepStats
import java.nio.file.Path
import java.util.Locale
import kotlin.io.path.exists
import kotlin.io.path.readText

/**
 * `gradus report <sweep>`: `report.html` and `plots/` in the sweep's folder
 * (`<runs root>/sweeps/<name>/`), from its `sweep.json` ([SweepRecord]). For trials that trained
 * runs: per configuration, the mean learning curve over its seeds with a mean ± std band (test
 * accuracy, test loss, training loss, validation when recorded), read from each run's
 * `metrics.jsonl`. For measurements that no curve shows (trials in code, custom measurements): one
 * point per configuration with mean ± std error bars. Then the summary table (per configuration and
 * quantity: n, mean ± std, median, min–max; the best configuration marked), the claims with their
 * verdicts and the trials.
 */
class SweepReport(
    private val store: RunStore,
    /** Where `report.html` and `plots/` go. */
    val dir: Path,
    val record: SweepRecord = recordJson.decodeFromString(SweepRecord.serializer(), dir.resolve(SweepRecord.FILE).readText()),
    private val title: String = "Gradus sweep report: ${record.name}",
) {

    /** A learning-curve quantity: its column in `metrics.jsonl` and its name among the trial measurements. */
    private class Curve(val measurement: String, val title: String, val value: (EpochRecord) -> Double?)

    /** The plots by file name, in report order (without writing anything). */
    fun charts(): Map<String, Chart> {
        val plots = linkedMapOf<String, Chart>()
        val curvesByConfiguration = record.configurations.associate { c ->
            c.configuration to finishedTrials(c.configuration).mapNotNull { t -> t.run?.let { store.root.resolve(it) } }
                .filter { it.exists() }.map { store.Run(it).metrics() }.filter { it.isNotEmpty() }
        }
        val withRuns = curvesByConfiguration.filterValues { it.isNotEmpty() }
        val drawn = mutableSetOf<String>()
        for (curve in CURVES) {
            if (withRuns.values.none { runs -> runs.any { r -> r.any { curve.value(it) != null } } }) continue
            val chart = Chart("${curve.title}: mean ± std over seeds", "epoch", curve.title, integerX = true)
            for ((configuration, runs) in withRuns) {
                // epoch i of each run (stages one after the other); runs that stopped early leave later epochs to the others
                val length = runs.maxOf { it.size }
                val x = mutableListOf<Double>()
                val mean = mutableListOf<Double>()
                val std = mutableListOf<Double>()
                for (i in 0 until length) {
                    val values = runs.mapNotNull { r -> r.getOrNull(i)?.let(curve.value) }
                    if (values.isEmpty()) continue
                    x += i + 1.0
                    mean += values.average()
                    std += sampleStd(values)
                }
                chart.addBand(configuration, x, mean, std)
            }
            plots["sweep-${curve.measurement.replace('.', '-')}"] = chart
            drawn += curve.measurement
        }
        val measured = record.configurations.flatMap { it.statistics.keys }.distinct().filter { it !in drawn }
        val names = record.configurations.map { it.configuration }
        for (quantity in measured) {
            val chart = Chart("$quantity: mean ± std over seeds", "configuration", quantity).categories(names)
            record.configurations.forEachIndexed { i, c ->
                val s = c.statistics[quantity] ?: return@forEachIndexed
                chart.addErrorBar(c.configuration, i, s.mean, s.std)
            }
            plots["measure-${quantity.replace(Regex("[^A-Za-z0-9_-]"), "-")}"] = chart
        }
        return plots.filterValues { it.hasPoints }
    }

    fun write(): Report.Written {
        val written = ReportFiles.writePlots(dir.resolve(RunStore.PLOTS), charts())
        val html = dir.resolve(RunStore.REPORT)
        RunStore.writeAtomically(html, html(written.svg))
        return Report.Written(html, written.files)
    }

    private fun finishedTrials(configuration: String) =
        record.trials.filter { it.configuration == configuration && it.status == RunSummary.FINISHED }

    private fun html(plots: Map<String, String>): String {
        val e = ReportFiles::escape
        fun n(v: Double) = String.format(Locale.ROOT, "%.4g", v)
        return buildString {
            append(ReportFiles.head(title))
            val finished = record.trials.count { it.status == RunSummary.FINISHED }
            val configurations = record.configurations.size.let { if (it == 1) "1 configuration" else "$it configurations" }
            append("<p>").append(e("${record.trials.size} trials (${finished} finished) in $configurations"))
            record.script?.let { append(e("; script $it")) }
            append(e("; updated ${record.updatedAt}.")).append("</p>\n")
            if (record.claims.isNotEmpty()) {
                append("<h2>Claims</h2>\n<ul class=\"claims\">\n")
                for (c in record.claims) {
                    val (cls, verdict) = when (c.holds) {
                        true -> "holds" to "holds"
                        false -> "fails" to "does not hold"
                        null -> "undecided" to "undecided"
                    }
                    append("<li><b class=\"").append(cls).append("\">").append(verdict).append("</b>: ")
                        .append(e(c.text)).append(" <span>(").append(e(c.detail)).append(")</span></li>\n")
                }
                append("</ul>\n")
            }
            append("<h2>Summary</h2>\n")
            record.best?.let { append("<p>").append(e("Best configuration${record.bestBy?.let { " ($it, mean over seeds)" } ?: ""}: $it (marked ★).")).append("</p>\n") }
            append("<table class=\"summary\">\n<tr><th>configuration</th><th>settings</th><th>runs</th><th>quantity</th><th>n</th>")
            append("<th>mean ± std</th><th>median</th><th>min – max</th></tr>\n")
            for (c in record.configurations) {
                val quantities = c.statistics.entries.toList()
                val rows = quantities.size.coerceAtLeast(1)
                val best = c.configuration == record.best
                val settings = record.trials.firstOrNull { it.configuration == c.configuration }?.settings.orEmpty()
                    .entries.joinToString(", ") { "${it.key}=${it.value}" }
                for (row in 0 until rows) {
                    append(if (best) "<tr class=\"best\">" else "<tr>")
                    if (row == 0) {
                        append("<td rowspan=\"$rows\">").append(e(c.configuration)).append(if (best) " ★" else "").append("</td>")
                        append("<td rowspan=\"$rows\">").append(e(settings)).append("</td>")
                        append("<td rowspan=\"$rows\" class=\"num\">").append(c.runs).append("</td>")
                    }
                    val q = quantities.getOrNull(row)
                    if (q == null) {
                        append("<td colspan=\"5\">no finished trial</td>")
                    } else {
                        val s = q.value
                        append("<td>").append(e(q.key)).append("</td><td class=\"num\">").append(s.n).append("</td>")
                        append("<td class=\"num\">").append(e("${n(s.mean)} ± ${n(s.std)}")).append("</td>")
                        append("<td class=\"num\">").append(e(n(s.median))).append("</td>")
                        append("<td class=\"num\">").append(e("${n(s.min)} – ${n(s.max)}")).append("</td>")
                    }
                    append("</tr>\n")
                }
            }
            append("</table>\n")
            if (plots.isNotEmpty()) {
                append("<h2>Plots</h2>\n<p>")
                if (plots.keys.any { it.startsWith("sweep-") }) {
                    append(e("Bands: mean ± sample std over the finished seeds of each configuration, epoch by epoch (a run that stopped early leaves its later epochs to the others). "))
                }
                if (plots.keys.any { it.startsWith("measure-") }) append(e("Error bars: mean ± sample std of the measurement over the finished seeds."))
                append("</p>\n").append(ReportFiles.panels(plots))
            }
            append("<h2>Trials</h2>\n<table class=\"trials\">\n<tr><th>trial</th><th>configuration</th><th>seed</th><th>status</th><th>run</th><th>measurements</th></tr>\n")
            for (t in record.trials) {
                append("<tr><td>").append(e(t.name)).append("</td><td>").append(e(t.configuration)).append("</td><td class=\"num\">")
                    .append(t.seed?.toString() ?: "-").append("</td><td>").append(e(t.status + (t.error?.let { ": $it" } ?: ""))).append("</td><td>")
                    .append(e(t.run ?: "-")).append("</td><td>")
                    .append(e(t.measurements.entries.joinToString(", ") { "${it.key} ${n(it.value)}" })).append("</td></tr>\n")
            }
            append("</table>\n")
            append(ReportFiles.FOOT)
        }
    }

    companion object {
        private val CURVES = listOf(
            Curve("test.accuracy", "test accuracy") { it.testAccuracy },
            Curve("test.loss", "test loss") { it.testLoss },
            Curve("train.loss", "training loss") { it.trainLoss },
            Curve("validation.accuracy", "validation accuracy") { it.validationAccuracy },
            Curve("validation.loss", "validation loss") { it.validationLoss },
        )

        private fun sampleStd(values: List<Double>) = SweepStats.sampleStd(values)

        /**
         * An experiment's finished runs (say, one per seed, from `gradus run --seed`) as one
         * configuration: the same bands and table as a sweep, written to the experiment's folder.
         */
        fun ofExperiment(store: RunStore, experiment: String): SweepReport {
            val runs = store.all().filter { it.experiment == experiment && it.status() == RunSummary.FINISHED }
            require(runs.isNotEmpty()) { "no finished run of experiment '$experiment' in ${store.root}" }
            val trials = runs.map { r ->
                val s = r.summary()!!
                SweepTrialRecord(
                    "$r", experiment, runCatching { r.spec().seed }.getOrNull(), status = s.status, run = "${r.experiment}/${r.id}",
                    measurements = listOfNotNull(
                        s.finalTestAccuracy?.let { "test.accuracy" to it }, s.finalTestLoss?.let { "test.loss" to it },
                        s.finalTrainLoss?.let { "train.loss" to it },
                    ).toMap(),
                    wallSeconds = s.wallSeconds,
                )
            }
            val quantities = trials.flatMap { it.measurements.keys }.distinct()
            val statistics = quantities.associateWith { q ->
                val xs = trials.mapNotNull { it.measurements[q] }
                SweepStatistic(xs.size, xs.average(), SweepStats.sampleStd(xs), SweepStats.median(xs), xs.min(), xs.max())
            }
            val record = SweepRecord(
                experiment, null, java.time.Instant.now().toString(), trials, listOf(ConfigurationSummary(experiment, trials.size, statistics)),
                null, null,
            )
            return SweepReport(store, store.root.resolve(experiment), record, "Gradus report: $experiment over ${runs.size} finished runs")
        }

        /**
         * The sweep folder [ref] names: a folder holding `sweep.json`, `sweeps/<name>` under the store,
         * or a sweep name; null when none matches.
         */
        fun find(store: RunStore, ref: String): Path? {
            val candidates = listOf(Path.of(ref), store.root.resolve(ref), store.root.resolve(SweepRecord.DIR).resolve(ref))
            return candidates.firstOrNull { it.resolve(SweepRecord.FILE).exists() }?.toAbsolutePath()?.normalize()
        }

        /** The names of the recorded sweeps under the store. */
        fun names(store: RunStore): List<String> {
            val dir = store.root.resolve(SweepRecord.DIR)
            if (!dir.exists()) return emptyList()
            return dir.toFile().listFiles().orEmpty().filter { it.resolve(SweepRecord.FILE).exists() }.map { it.name }.sorted()
        }
    }
}
