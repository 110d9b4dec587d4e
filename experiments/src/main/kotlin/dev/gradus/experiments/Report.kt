package dev.gradus.experiments

import java.nio.file.Path
import java.util.Locale

/**
 * `gradus report`: a standalone `report.html` in the run folder (inline SVG, no scripts, nothing
 * fetched) and the same plots as separate files under `plots/`: the learning curves from
 * `metrics.jsonl`; when the run logged `diagnostics.jsonl`, one panel per signal-propagation
 * statistic against layer depth with one line per recorded epoch; when it logged `curvature.jsonl`,
 * gᵀg and gᵀHg (log axis), the predicted change and ‖g‖ against the step; and the run's summary.
 */
/**
 * `gradus report <run>`: a standalone `report.html` in the run folder (the plots inline as SVG, no
 * scripts, nothing fetched) and every plot as `plots/<name>.svg` and `plots/<name>.png`, drawn by
 * lets-plot ([Chart]): the learning curves from `metrics.jsonl`; every per-epoch value in its
 * `hyperparameters` (optimizer schedules such as the learning rate and momentum, one panel each;
 * `curriculum.*`, `continuation.*` and `gradient.*` values, one panel per group); when the run logged
 * `diagnostics.jsonl`, one panel per signal-propagation statistic against layer depth with one line
 * per recorded epoch; when it logged `curvature.jsonl`, gᵀg and gᵀHg (log axis), the predicted
 * change and ‖g‖ against the step; and the run's summary.
 */
class Report(private val run: RunStore.Run) {
    /** What [write] wrote: the HTML file and the plot images (an SVG and a PNG per plot). */
    data class Written(val html: Path, val plots: List<Path>) {
        val panels: Int get() = plots.count { it.fileName.toString().endsWith(".svg") }
    }

    /** A signal-propagation statistic: its `diagnostics.jsonl` field, title and whether to plot it on a log axis. */
    data class Statistic(val field: String, val title: String, val logY: Boolean, val value: (DiagnosticsRecord) -> Double?)

    /** The plots of this run by file name, in report order (without writing anything). */
    fun charts(): Map<String, Chart> {
        val plots = linkedMapOf<String, Chart>()
        val metrics = run.metrics()
        if (metrics.isNotEmpty()) {
            // stages (pre-training, then "train") each count epochs from 1: plot them one after the other
            val staged = metrics.map { it.stage }.distinct().size > 1
            val epochs = if (staged) metrics.indices.map { it + 1.0 } else metrics.map { it.epoch.toDouble() }
            val xLabel = if (staged) "epoch (all stages in order)" else "epoch"
            val loss = Chart("Loss", xLabel, "loss", integerX = true)
                .add("training loss", epochs.zip(metrics.map { it.trainLoss }))
                .add("test loss", epochs.zip(metrics.map { it.testLoss }))
            if (metrics.any { it.validationLoss != null }) loss.add("validation loss", epochs.zip(metrics.map { it.validationLoss }))
            plots["loss"] = loss
            val acc = Chart("Accuracy", xLabel, "accuracy", integerX = true)
                .add("test accuracy", epochs.zip(metrics.map { it.testAccuracy }))
            if (metrics.any { it.validationAccuracy != null }) acc.add("validation accuracy", epochs.zip(metrics.map { it.validationAccuracy }))
            plots["accuracy"] = acc
            // every value recorded per epoch: plain optimizer hyperparameters (lr, momentum, ...) each on
            // its own axis, grouped ones (curriculum.share, continuation.sigma, gradient.norm) per group
            val keys = metrics.flatMap { it.hyperparameters.keys }.distinct()
            val (grouped, plain) = keys.partition { '.' in it }
            for (key in plain) {
                plots["schedule-${fileName(key)}"] = Chart("Schedule: $key", xLabel, key, integerX = true)
                    .add(key, epochs.zip(metrics.map { it.hyperparameters[key] }))
            }
            for ((group, members) in grouped.groupBy { it.substringBefore('.') }) {
                val title = GROUP_TITLES[group] ?: group
                val logY = group == "gradient" && members.all { k -> metrics.all { (it.hyperparameters[k] ?: 1.0) > 0 } }
                val chart = Chart(title, xLabel, "value", logY = logY, integerX = true)
                for (key in members) chart.add(key, epochs.zip(metrics.map { it.hyperparameters[key] }))
                plots[fileName(group)] = chart
            }
        }
        val diagnostics = run.diagnostics()
        if (diagnostics.isNotEmpty()) {
            val byEpoch = diagnostics.groupBy { it.epoch }.toSortedMap()
            for (s in STATISTICS) {
                if (diagnostics.none { s.value(it) != null }) continue
                val chart = Chart(s.title, "layer (depth)", s.title, logY = s.logY, integerX = true)
                for ((epoch, layers) in byEpoch) {
                    chart.add("epoch $epoch", layers.sortedBy { it.layer }.map { it.layer.toDouble() to s.value(it) })
                }
                plots["depth-${s.field}"] = chart
            }
        }
        val curvature = run.curvature()
        if (curvature.isNotEmpty()) {
            // x: optimizer steps when measured (0: at initialization); per-epoch points only are plotted by epoch
            val byStep = curvature.any { it.step != 0L }
            val x = if (byStep) curvature.map { it.step.toDouble() } else curvature.map { it.epoch.toDouble() }
            val xLabel = if (byStep) "optimizer step" else "epoch"
            plots["curvature-gTg-gTHg"] = Chart("gᵀg and gᵀHg (section 8.2.1)", xLabel, "value", logY = true, integerX = true)
                .add("gᵀg", x.zip(curvature.map { it.gTg }))
                .add("gᵀHg", x.zip(curvature.map { it.gTHg }))
            plots["curvature-predicted-change"] = Chart("predicted change −ε gᵀg + ½ε² gᵀHg", xLabel, "predicted change of J", integerX = true)
                .add("predicted change", x.zip(curvature.map { it.predictedChange }))
            plots["curvature-gradient-norm"] = Chart("gradient norm ‖g‖", xLabel, "‖g‖", logY = true, integerX = true)
                .add("‖g‖", x.zip(curvature.map { it.gradientNorm }))
        }
        return plots.filterValues { it.hasPoints }
    }

    fun write(): Written {
        val charts = charts()
        val written = ReportFiles.writePlots(run.dir.resolve(RunStore.PLOTS), charts)
        val diagnostics = run.diagnostics()
        val unmeasured = STATISTICS.filter { s -> diagnostics.isNotEmpty() && diagnostics.none { s.value(it) != null } }.map { it.title }
        val html = run.dir.resolve(RunStore.REPORT)
        RunStore.writeAtomically(html, html(written.svg, diagnostics, unmeasured, run.curvature()))
        return Written(html, written.files)
    }

    private fun html(plots: Map<String, String>, diagnostics: List<DiagnosticsRecord>, unmeasured: List<String>, curvature: List<CurvatureRecord>): String {
        val e = ReportFiles::escape
        val s = run.summary()
        val title = "Gradus report: $run"
        return buildString {
            append(ReportFiles.head(title))
            append("<h2>Summary</h2>\n<table class=\"summary\">\n")
            for ((k, v) in summaryRows(s)) append("<tr><th>").append(e(k)).append("</th><td>").append(e(v)).append("</td></tr>\n")
            append("</table>\n")
            val curves = plots.filterKeys { !it.startsWith("depth-") && !it.startsWith("curvature-") }
            if (curves.isNotEmpty()) {
                append("<h2>Learning curves and schedules</h2>\n")
                append(ReportFiles.panels(curves))
            } else {
                append("<p>No epochs recorded (metrics.jsonl is empty or absent).</p>\n")
            }
            if (diagnostics.isNotEmpty()) {
                val epochs = diagnostics.map { it.epoch }.distinct().sorted()
                append("<h2>Signal propagation by depth</h2>\n<p>")
                append(
                    e(
                        "Measured on a fixed probe batch at epochs ${epochs.joinToString(", ")} (epoch 0: at initialization); " +
                            "layers: " + diagnostics.filter { it.epoch == epochs.first() }.sortedBy { it.layer }
                            .joinToString(", ") { "${it.layer} ${it.kind}" } + ".",
                    ),
                )
                if (unmeasured.isNotEmpty()) append(e(" Not defined for any layer here: ${unmeasured.joinToString(", ")}."))
                append("</p>\n")
                append(ReportFiles.panels(plots.filterKeys { it.startsWith("depth-") }))
            } else {
                append("<p>No signal-propagation diagnostics in this run (add <code>train { diagnostics() }</code> to the experiment).</p>\n")
            }
            if (curvature.isNotEmpty()) {
                val first = curvature.first()
                val last = curvature.last()
                fun g(v: Double?) = v?.let { String.format(Locale.ROOT, "%.4g", it) } ?: "-"
                append("<h2>Ill-conditioning (gᵀg, gᵀHg)</h2>\n<p>")
                append(
                    e(
                        "${curvature.size} measurements on a fixed probe batch (section 8.2.1: a gradient step of size ε changes the cost by " +
                            "about −ε gᵀg + ½ε² gᵀHg). First (epoch ${first.epoch}, step ${first.step}): gᵀg ${g(first.gTg)}, gᵀHg ${g(first.gTHg)}, " +
                            "‖g‖ ${g(first.gradientNorm)}; last (epoch ${last.epoch}, step ${last.step}): gᵀg ${g(last.gTg)}, gᵀHg ${g(last.gTHg)}, " +
                            "‖g‖ ${g(last.gradientNorm)}. Values ≤ 0 (negative curvature) are left out of the log plots.",
                    ),
                )
                append("</p>\n")
                append(ReportFiles.panels(plots.filterKeys { it.startsWith("curvature-") }))
            }
            append(ReportFiles.FOOT)
        }
    }

    private fun summaryRows(s: RunSummary?): List<Pair<String, String>> {
        if (s == null) return listOf("status" to RunSummary.INCOMPLETE + " (no summary.json)")
        fun n(v: Double?, fmt: String = "%.4f") = v?.let { String.format(Locale.ROOT, fmt, it) } ?: "-"
        return buildList {
            add("status" to s.status)
            add("experiment" to s.experiment)
            add("run" to s.runId)
            add("started" to s.startedAt)
            add("epochs" to s.epochs.toString())
            add("steps" to s.steps.toString())
            add("final training loss" to n(s.finalTrainLoss))
            add("final test loss" to n(s.finalTestLoss))
            add("final test accuracy" to (s.finalTestAccuracy?.let { String.format(Locale.ROOT, "%.2f%%", 100 * it) } ?: "-"))
            s.parameterCount?.let { add("parameters" to "%,d".format(Locale.ROOT, it)) }
            add("wall time" to n(s.wallSeconds, "%.1f s"))
            s.phases.forEach {
                val where = if (it.stage == dev.gradus.dsl.CompiledExperiment.MAIN_STAGE) "" else " (${it.stage})"
                add("phase ${it.name}$where" to "${it.epochs} epochs, ${it.steps} steps, ${it.stopReason}")
            }
            if (s.stages.size > 1) {
                s.stages.forEach {
                    add("stage ${it.name}" to "${it.epochs} epochs, ${it.steps} steps, ${n(it.seconds, "%.1f s")}; trained ${it.trained.size} " +
                        "parameter tensors, froze ${it.frozen.size}; test accuracy " +
                        (it.finalTestAccuracy?.let { a -> String.format(Locale.ROOT, "%.2f%%", 100 * a) } ?: "-"))
                }
            }
            s.error?.let { add("error" to it) }
        }
    }

    companion object {
        /** Titles of the panels of grouped per-epoch values (`group.name` keys of the hyperparameters). */
        private val GROUP_TITLES = mapOf(
            "curriculum" to "Curriculum (share of the data, pacing, difficulty)",
            "continuation" to "Continuation (σ, temperature, ...)",
            "gradient" to "Gradient norm",
        )

        /** A hyperparameter key as a plot file name. */
        private fun fileName(key: String) = key.replace(Regex("[^A-Za-z0-9_.-]"), "_")

        /** The statistics plotted against depth, in `diagnostics.jsonl` order. */
        val STATISTICS = listOf(
            Statistic("activationMean", "activation mean", false) { it.activationMean },
            Statistic("activationStd", "activation std", false) { it.activationStd },
            Statistic("saturationFraction", "saturation fraction", false) { it.saturationFraction },
            Statistic("backpropGradientStd", "back-propagated gradient std", true) { it.backpropGradientStd },
            Statistic("weightGradientNorm", "weight gradient norm", true) { it.weightGradientNorm },
            Statistic("meanJacobianSingularValue", "mean Jacobian singular value", false) { it.meanJacobianSingularValue },
            Statistic("preActivationGradientStd", "pre-activation gradient std", true) { it.preActivationGradientStd },
        )
    }
}
