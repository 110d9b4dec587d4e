package dev.gradus.experiments

import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.SpecCompiler
import dev.gradus.dsl.SpecJson
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** One `--grid path=v1,v2,...` axis. */
data class GridAxis(val path: String, val values: List<String>) {
    /** The short key of trial names: the path's last segment without an index (`optimizer.lr` → `lr`). */
    val key: String get() = path.substringAfterLast('.').substringBefore('[')

    companion object {
        fun parse(text: String): GridAxis {
            val eq = text.indexOf('=')
            if (eq <= 0) throw UsageException("--grid needs path=v1,v2,..., got '$text'")
            val values = text.substring(eq + 1).split(',').map { it.trim() }
            if (values.isEmpty() || values.any { it.isEmpty() }) throw UsageException("--grid ${text.substring(0, eq)}: empty value in '$text'")
            return GridAxis(text.substring(0, eq).trim(), values)
        }
    }
}

/** One trial: an experiment with one value per axis (and a seed when `--seeds` is given). */
data class Trial(val base: String, val settings: List<Pair<GridAxis, String>>, val seed: Long?, val spec: ExperimentSpec) {
    val name: String get() = spec.name
    /** Everything but the seed: the configuration this trial repeats. */
    val configuration: String get() = Sweep.trialName(base, settings.map { it.first.key to it.second }, null)
}

/** Statistics of one configuration over its finished trials. */
@Serializable
data class SweepRow(
    val configuration: String,
    val runs: Int,
    val testAccuracyMean: Double?,
    val testAccuracyStd: Double?,
    val testAccuracyMedian: Double?,
    val testAccuracyMin: Double?,
    val testAccuracyMax: Double?,
    val testLossMean: Double?,
    val testLossStd: Double?,
    val testLossMedian: Double?,
    val testLossMin: Double?,
    val testLossMax: Double?,
)

@Serializable
data class SweepSummary(val script: String, val trials: Int, val configurations: List<SweepRow>, val best: String?)

/**
 * `gradus sweep`: every experiment of a script × seeds × the cartesian product of `--grid` axes,
 * each trial run as its own `run-spec` process (at most `--jobs` at once), then a summary per
 * configuration. [inProcess] runs the trials in this JVM (tests only).
 */
class Sweep(
    private val out: PrintStream,
    private val err: PrintStream,
    private val scriptCache: Path?,
    private val inProcess: Boolean = false,
) {
    fun run(args: List<String>): Int {
        val gridArgs = mutableListOf<String>()
        val rest = mutableListOf<String>()
        var i = 0
        while (i < args.size) {
            val a = args[i]
            when {
                a == "--grid" -> { if (i + 1 >= args.size) throw UsageException("--grid needs a value"); gridArgs += args[++i] }
                a.startsWith("--grid=") -> gridArgs += a.removePrefix("--grid=")
                else -> rest += a
            }
            i++
        }
        val o = Options(rest, setOf(), setOf("--jobs", "--threads", "--out", "--seeds"))
        val file = Path.of(o.positional.singleOrNull() ?: throw UsageException("sweep needs one script file"))
        val jobs = o.int("--jobs", 1)
        val threads = o.int("--threads", 1)
        val seeds = o.string("--seeds")?.let { parseSeeds(it) }
        val axes = gridArgs.map { GridAxis.parse(it) }
        val root = Path.of(o.string("--out") ?: System.getenv("GRADUS_RUNS") ?: "runs").toAbsolutePath().normalize()

        val script = ScriptRunner(scriptCache).evaluate(file)
        if (script.experiments.isEmpty()) {
            out.println("script ${file.fileName}: no experiment declared, nothing to sweep")
            return 0
        }
        val problems = mutableListOf<String>()
        val trials = script.experiments.flatMap { expand(it, axes, seeds, problems) }
        if (problems.isNotEmpty()) {
            err.println("$file: invalid sweep (${problems.size} problem${if (problems.size > 1) "s" else ""}):")
            problems.distinct().forEach { err.println("  $it") }
            return 1
        }
        val dup = trials.groupBy { it.name }.filterValues { it.size > 1 }.keys
        if (dup.isNotEmpty()) throw IllegalArgumentException("the sweep gives several trials the same name: $dup")

        val store = RunStore(root)
        val latest = store.all().groupBy { it.experiment }.mapValues { it.value.last() }
        val todo = trials.filter { latest[it.name]?.status() != RunSummary.FINISHED }
        out.println(
            "sweep %s: %d trial%s (%d to run, %d already finished), %d at once, %d thread%s each".format(
                file.fileName, trials.size, if (trials.size > 1) "s" else "", todo.size, trials.size - todo.size,
                jobs, threads, if (threads > 1) "s" else "",
            ),
        )
        var failures = 0
        if (todo.isNotEmpty()) {
            val pool = Executors.newFixedThreadPool(jobs)
            val futures = todo.map { t -> pool.submit<Boolean> { runTrial(t, root, threads) } }
            pool.shutdown()
            futures.forEach { if (!it.get()) failures++ }
            pool.awaitTermination(1, TimeUnit.MINUTES)
        }
        val summary = summarize(file, trials, RunStore(root))
        printSummary(summary)
        val base = scriptBase(file)
        RunStore.writeAtomically(root.resolve("sweep-$base-summary.json"), SpecJson.json.encodeToString(SweepSummary.serializer(), summary))
        RunStore.writeAtomically(root.resolve("sweep-$base-summary.csv"), csv(summary))
        out.println("summary in ${root.resolve("sweep-$base-summary.csv")} and .json")
        if (failures > 0) err.println("$failures trial${if (failures > 1) "s" else ""} failed; run the sweep again to redo them")
        return if (failures == 0) 0 else 1
    }

    private fun runTrial(t: Trial, root: Path, threads: Int): Boolean {
        val specFile = Files.createTempFile("gradus-trial-", ".json")
        try {
            Files.writeString(specFile, SpecJson.encode(t.spec))
            val args = listOf("run-spec", specFile.toString(), "--out", root.toString(), "--threads", threads.toString())
            val code: Int
            val log: String
            if (inProcess) {
                val buf = java.io.ByteArrayOutputStream()
                val ps = PrintStream(buf, true)
                code = Cli(ps, ps, scriptCache = scriptCache).run(args.toTypedArray())
                log = buf.toString()
            } else {
                val logFile = Files.createTempFile("gradus-trial-", ".log")
                val pb = ProcessBuilder(javaCommand(threads) + args).redirectErrorStream(true).redirectOutput(logFile.toFile())
                for (v in listOf("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")) pb.environment()[v] = threads.toString()
                pb.environment()["OMP_WAIT_POLICY"] = "PASSIVE"
                code = pb.start().waitFor()
                log = Files.readString(logFile)
                Files.deleteIfExists(logFile)
            }
            synchronized(out) {
                if (code == 0) out.println("trial ${t.name}: finished")
                else {
                    err.println("trial ${t.name}: failed (exit $code)")
                    log.lines().takeLast(15).forEach { err.println("  | $it") }
                }
            }
            return code == 0
        } finally {
            Files.deleteIfExists(specFile)
        }
    }

    /** The java command line of this process (same JVM, options and class path), with the libtorch thread count [threads]. */
    private fun javaCommand(threads: Int): List<String> {
        val javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        val jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().inputArguments
            .filter { !it.startsWith("-agentlib:jdwp") && !it.startsWith("-Dai.djl.pytorch.num_threads=") }
        return listOf(javaBin) + jvm + listOf("-Dai.djl.pytorch.num_threads=$threads", "-cp", System.getProperty("java.class.path"), "dev.gradus.experiments.CliKt")
    }

    private fun summarize(file: Path, trials: List<Trial>, store: RunStore): SweepSummary {
        val latest = store.all().groupBy { it.experiment }.mapValues { it.value.last() }
        val rows = trials.groupBy { it.configuration }.map { (config, ts) ->
            val done = ts.mapNotNull { t -> latest[t.name]?.summary()?.takeIf { it.status == RunSummary.FINISHED } }
            val acc = done.mapNotNull { it.finalTestAccuracy }
            val loss = done.mapNotNull { it.finalTestLoss }
            SweepRow(
                config, done.size, mean(acc), std(acc), median(acc), acc.minOrNull(), acc.maxOrNull(),
                mean(loss), std(loss), median(loss), loss.minOrNull(), loss.maxOrNull(),
            )
        }
        val best = rows.filter { it.testAccuracyMean != null }.maxByOrNull { it.testAccuracyMean!! }?.configuration
        return SweepSummary(file.fileName.toString(), trials.size, rows, best)
    }

    private fun printSummary(s: SweepSummary) {
        out.println()
        val w = maxOf(24, s.configurations.maxOfOrNull { it.configuration.length } ?: 0)
        out.println("%-${w}s %4s %17s %8s %15s %17s %8s".format("configuration", "runs", "test acc mean±std", "median", "min–max", "test loss mean±std", "median"))
        fun p(d: Double?) = d?.let { "%.2f".format(100 * it) } ?: "-"
        fun l(d: Double?) = d?.let { "%.4f".format(it) } ?: "-"
        for (r in s.configurations) {
            out.println(
                "%-${w}s %4d %17s %8s %15s %17s %8s".format(
                    r.configuration, r.runs, "${p(r.testAccuracyMean)} ± ${p(r.testAccuracyStd)}", p(r.testAccuracyMedian),
                    "${p(r.testAccuracyMin)}–${p(r.testAccuracyMax)}", "${l(r.testLossMean)} ± ${l(r.testLossStd)}", l(r.testLossMedian),
                ),
            )
        }
        s.best?.let { b -> out.println("best by mean test accuracy: $b (${"%.2f".format(100 * s.configurations.first { it.configuration == b }.testAccuracyMean!!)}%)") }
    }

    private fun csv(s: SweepSummary): String {
        val sb = StringBuilder("configuration,runs,test_acc_mean,test_acc_std,test_acc_median,test_acc_min,test_acc_max,test_loss_mean,test_loss_std,test_loss_median,test_loss_min,test_loss_max,best\n")
        for (r in s.configurations) {
            val cells = listOf(r.testAccuracyMean, r.testAccuracyStd, r.testAccuracyMedian, r.testAccuracyMin, r.testAccuracyMax,
                r.testLossMean, r.testLossStd, r.testLossMedian, r.testLossMin, r.testLossMax).map { it?.toString() ?: "" }
            sb.append(r.configuration).append(',').append(r.runs).append(',').append(cells.joinToString(","))
                .append(',').append(r.configuration == s.best).append('\n')
        }
        return sb.toString()
    }

    companion object {
        private fun mean(xs: List<Double>) = if (xs.isEmpty()) null else xs.average()
        private fun std(xs: List<Double>): Double? {
            if (xs.isEmpty()) return null
            if (xs.size == 1) return 0.0
            val m = xs.average()
            return kotlin.math.sqrt(xs.sumOf { (it - m) * (it - m) } / (xs.size - 1))
        }
        private fun median(xs: List<Double>): Double? {
            if (xs.isEmpty()) return null
            val s = xs.sorted()
            return if (s.size % 2 == 1) s[s.size / 2] else (s[s.size / 2 - 1] + s[s.size / 2]) / 2
        }

        fun scriptBase(file: Path) = file.fileName.toString().removeSuffix(".kts").removeSuffix(".experiment")

        /** `1..5`, `1,3,7` or `4`. */
        fun parseSeeds(text: String): List<Long> {
            val bad = UsageException("--seeds must be A..B or a comma-separated list of integers >= 0, got '$text'")
            val seeds = if (text.contains("..")) {
                val a = text.substringBefore("..").trim().toLongOrNull() ?: throw bad
                val b = text.substringAfter("..").trim().toLongOrNull() ?: throw bad
                if (a < 0 || b < a) throw bad
                (a..b).toList()
            } else text.split(',').map { it.trim().toLongOrNull()?.takeIf { s -> s >= 0 } ?: throw bad }
            return seeds.distinct()
        }

        /** `<base>-<k><v>-...` with characters outside [SpecCompiler.NAME_PATTERN] replaced by `_`. */
        fun trialName(base: String, parts: List<Pair<String, String>>, seed: Long?): String {
            val all = parts.map { it.first + it.second } + listOfNotNull(seed?.let { "seed$it" })
            val raw = if (all.isEmpty()) base else base + "-" + all.joinToString("-")
            return raw.map { c -> if (SpecCompiler.NAME_PATTERN.matches(c.toString())) c else '_' }.joinToString("")
        }

        /** The trials of [spec]; problems (bad paths, invalid values) go to [problems]. */
        fun expand(spec: ExperimentSpec, axes: List<GridAxis>, seeds: List<Long>?, problems: MutableList<String>): List<Trial> {
            var combos: List<List<Pair<GridAxis, String>>> = listOf(emptyList())
            for (a in axes) combos = combos.flatMap { c -> a.values.map { v -> c + (a to v) } }
            val seedList: List<Long?> = seeds ?: listOf(null)
            val base = SpecJson.json.parseToJsonElement(SpecJson.encode(spec))
            val trials = mutableListOf<Trial>()
            for (c in combos) for (seed in seedList) {
                var json = base
                var ok = true
                for ((axis, v) in c) {
                    try {
                        json = setPath(json, axis.path, literal(v))
                    } catch (e: IllegalArgumentException) {
                        problems += "${spec.name}: --grid ${axis.path}: ${e.message}"
                        ok = false
                    }
                }
                // the other axes are still checked, so every problem is listed at once
                val name = trialName(spec.name, c.map { it.first.key to it.second }, seed)
                json = setPath(json, "name", JsonPrimitive(name))
                if (seed != null) json = setPath(json, "seed", JsonPrimitive(seed))
                val trialSpec = try {
                    SpecJson.decode(json.toString())
                } catch (e: Exception) {
                    problems += "$name: ${e.message}"
                    continue
                }
                val p = SpecCompiler.validate(trialSpec)
                if (p.isNotEmpty()) {
                    p.forEach { problems += "$name: ${it.path}: ${it.message}" }
                    continue
                }
                if (ok) trials += Trial(spec.name, c, seed, trialSpec)
            }
            return trials
        }

        private fun literal(v: String): JsonPrimitive {
            v.toLongOrNull()?.let { return JsonPrimitive(it) }
            v.toDoubleOrNull()?.let { return JsonPrimitive(it) }
            if (v == "true" || v == "false") return JsonPrimitive(v.toBoolean())
            return JsonPrimitive(v)
        }

        /** [root] with the existing value at [path] (`a.b[2].c`) replaced by [value]; an unknown path is an error naming what exists. */
        fun setPath(root: JsonElement, path: String, value: JsonPrimitive): JsonElement {
            val segments = path.split('.').flatMap { seg ->
                val m = Regex("""^([^\[\]]+)((\[\d+])*)$""").matchEntire(seg) ?: throw IllegalArgumentException("malformed path segment '$seg'")
                listOf<Any>(m.groupValues[1]) + Regex("""\[(\d+)]""").findAll(m.groupValues[2]).map { it.groupValues[1].toInt() }
            }
            fun set(el: JsonElement, i: Int, at: String): JsonElement {
                if (i == segments.size) {
                    if (el !is JsonPrimitive) throw IllegalArgumentException("$at is not a single value")
                    return value
                }
                return when (val s = segments[i]) {
                    is String -> {
                        val obj = el as? JsonObject ?: throw IllegalArgumentException("$at is not an object, so it has no '$s'")
                        val child = obj[s] ?: throw IllegalArgumentException("no '$s' in ${at.ifEmpty { "the spec" }} (it has: ${obj.keys.joinToString(", ")})")
                        JsonObject(obj + (s to set(child, i + 1, if (at.isEmpty()) s else "$at.$s")))
                    }
                    else -> {
                        val idx = s as Int
                        val arr = el as? JsonArray ?: throw IllegalArgumentException("$at is not a list")
                        if (idx >= arr.size) throw IllegalArgumentException("$at has ${arr.size} elements, no [$idx]")
                        JsonArray(arr.mapIndexed { k, e -> if (k == idx) set(e, i + 1, "$at[$idx]") else e })
                    }
                }
            }
            return set(root, 0, "")
        }
    }
}
