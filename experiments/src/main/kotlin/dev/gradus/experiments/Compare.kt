package dev.gradus.experiments

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.io.PrintStream
import java.nio.file.Files

/**
 * `gradus compare`: the spec paths whose values differ between runs, then one row of metrics per
 * run. The specs are compared as recorded (`spec.json`), flattened to paths like `optimizer.lr`,
 * `model.layers[1].units`.
 */
class Compare(private val out: PrintStream) {

    /** One row of the metrics table, from `summary.json` and, for a run without one, `metrics.jsonl`. */
    data class Row(
        val run: String,
        val status: String,
        val epochs: Int,
        val steps: Long,
        val finalTrainLoss: Double?,
        val finalTestLoss: Double?,
        val finalTestAccuracy: Double?,
        val bestTestAccuracy: Double?,
        val wallSeconds: Double?,
    )

    fun run(runs: List<RunStore.Run>) {
        val flat = runs.map { flatten(Json.parseToJsonElement(Files.readString(it.dir.resolve(RunStore.SPEC)))) }
        val diffs = differences(flat)
        val names = runs.map { it.toString() }
        out.println("compare ${names.joinToString(", ")}")
        out.println()
        if (diffs.isEmpty()) {
            out.println("specs: identical")
        } else {
            out.println("spec differences (${diffs.size} path${if (diffs.size > 1) "s" else ""}):")
            table(listOf("path") + names, diffs.map { (path, values) -> listOf(path) + values.map { it ?: "-" } })
        }
        out.println()
        out.println("metrics:")
        table(
            listOf("run", "status", "epochs", "steps", "train loss", "test loss", "test acc", "best acc", "wall"),
            runs.map { row(it) }.map { r ->
                listOf(
                    r.run, r.status, r.epochs.toString(), r.steps.toString(), num(r.finalTrainLoss, "%.4f"), num(r.finalTestLoss, "%.4f"),
                    pct(r.finalTestAccuracy), pct(r.bestTestAccuracy), r.wallSeconds?.let { "%.1fs".format(it) } ?: "-",
                )
            },
            leftColumns = 2,
        )
    }

    private fun num(v: Double?, f: String) = v?.let { f.format(it) } ?: "-"
    private fun pct(v: Double?) = v?.let { "%.2f%%".format(100 * it) } ?: "-"

    private fun table(header: List<String>, rows: List<List<String>>, leftColumns: Int = Int.MAX_VALUE) {
        val all = listOf(header) + rows
        val widths = header.indices.map { c -> all.maxOf { it[c].length } }
        for (r in all) {
            out.println(
                r.indices.joinToString("  ") { c -> if (c < leftColumns) r[c].padEnd(widths[c]) else r[c].padStart(widths[c]) }.trimEnd(),
            )
        }
    }

    companion object {
        /** Every leaf of [e] by path (`a.b[2].c`); an empty object or array is a leaf (`{}`, `[]`), strings are unquoted. */
        fun flatten(e: JsonElement): Map<String, String> {
            val result = LinkedHashMap<String, String>()
            fun walk(path: String, x: JsonElement) {
                when (x) {
                    is JsonObject -> if (x.isEmpty()) result[path] = "{}" else x.forEach { (k, v) -> walk(if (path.isEmpty()) k else "$path.$k", v) }
                    is JsonArray -> if (x.isEmpty()) result[path] = "[]" else x.forEachIndexed { i, v -> walk("$path[$i]", v) }
                    JsonNull -> result[path] = "null"
                    is JsonPrimitive -> result[path] = x.content
                }
            }
            walk("", e)
            return result
        }

        /** The paths whose values are not the same in every map, in first-seen order, with each map's value (null: missing). */
        fun differences(flat: List<Map<String, String>>): List<Pair<String, List<String?>>> {
            val paths = LinkedHashSet<String>()
            flat.forEach { paths += it.keys }
            return paths.map { p -> p to flat.map { it[p] } }.filter { (_, values) -> values.distinct().size > 1 }
        }

        fun row(r: RunStore.Run): Row {
            val s = r.summary()
            val m = r.metrics()
            return Row(
                run = r.toString(), status = s?.status ?: RunSummary.INCOMPLETE,
                epochs = s?.epochs ?: m.size, steps = s?.steps ?: (m.lastOrNull()?.step ?: 0),
                finalTrainLoss = s?.finalTrainLoss ?: m.lastOrNull()?.trainLoss,
                finalTestLoss = s?.finalTestLoss ?: m.lastOrNull()?.testLoss,
                finalTestAccuracy = s?.finalTestAccuracy ?: m.lastOrNull()?.testAccuracy,
                bestTestAccuracy = m.maxOfOrNull { it.testAccuracy },
                wallSeconds = s?.wallSeconds,
            )
        }
    }
}
