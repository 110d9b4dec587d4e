package dev.gradus.experiments

import dev.gradus.dsl.BestBy
import dev.gradus.dsl.CodeTrial
import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.MissingSweepDataException
import dev.gradus.dsl.SpecCompiler
import dev.gradus.dsl.SpecJson
import dev.gradus.dsl.SweepDeclaration
import dev.gradus.dsl.SweepStats
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.Locale
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

/** One value a trial sets at a spec path; [display] is how trial names show it. */
data class Setting(val path: String, val value: JsonPrimitive, val display: String)

/** One point of the grid × random draws: what it sets, and the parts of its name (`lr` → `0.1`, `r` → `3`). */
data class Combination(val settings: List<Setting>, val nameParts: List<Pair<String, String>>)

/**
 * One trial of a sweep: a configuration under one seed. Either trains [spec] (a run of the store
 * whose experiment name is [name]) or calls [code] (a record under `sweeps/<sweep>/trials/`).
 */
data class Trial(
    val name: String,
    /** Everything but the seed: the trials of one configuration repeat it over seeds. */
    val configuration: String,
    val seed: Long?,
    val settings: Map<String, String>,
    val spec: ExperimentSpec? = null,
    val code: CodeTrial? = null,
)

/**
 * `gradus sweep`: runs the `sweep { }` blocks a script declares (or, for a script without one,
 * every experiment × `--seeds` × `--grid`), each trial as its own process (at most `--jobs` at
 * once, `--threads` each), skipping finished trials and continuing interrupted runs from their
 * checkpoints (see [SweepRunner.interruptedRun]); then a summary per configuration, the best
 * one and the claims' verdicts, printed and saved as a [SweepRecord] under `sweeps/<name>/`.
 * [inProcess] runs the trials in this JVM (tests).
 */
class Sweep(
    private val out: PrintStream,
    private val err: PrintStream,
    private val scriptCache: Path?,
    private val inProcess: Boolean = false,
    /** Where the summary tables and verdicts go (kept by `--quiet`, which silences [out]). */
    private val results: PrintStream = out,
    /** The machine output of `--json` (trial-end per trial, sweep-finished per sweep), else null. */
    private val events: JsonEvents? = null,
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
        val o = Options(rest, setOf(), setOf("--jobs", "--threads", "--out", "--seeds", "--sweep"))
        val file = Path.of(o.positional.singleOrNull() ?: throw UsageException("sweep needs one script file"))
        val jobs = o.int("--jobs", 1)
        val threads = o.int("--threads", 1)
        val seeds = o.string("--seeds")?.let { parseSeeds(it) }
        val axes = gridArgs.map { GridAxis.parse(it) }
        val root = runsRoot(o.string("--out"))

        val script = ScriptRunner(scriptCache).evaluate(file)
        val problems = mutableListOf<String>()
        val plans: List<Pair<SweepDeclaration, List<Trial>>>
        if (script.sweeps.isNotEmpty()) {
            if (axes.isNotEmpty()) throw UsageException("--grid is for scripts without sweep { } blocks; declare the grid in sweep ${script.sweeps.first().name} instead")
            val chosen = o.string("--sweep")?.let { n ->
                listOf(script.sweeps.firstOrNull { it.name == n } ?: throw UsageException("--sweep $n: the script declares ${script.sweeps.map { it.name }}"))
            } ?: script.sweeps
            plans = chosen.map { s -> val d = if (seeds != null) s.withSeeds(seeds) else s; d to plan(d, script.experiments, problems) }
        } else {
            if (o.string("--sweep") != null) throw UsageException("--sweep: the script declares no sweep { } block")
            if (script.experiments.isEmpty()) {
                results.println("script ${file.fileName}: no experiment or sweep declared, nothing to sweep")
                return 0
            }
            // no sweep block: one sweep named after the script, over every experiment × --seeds × --grid
            val name = trialName(scriptBase(file), emptyList(), null)
            val d = SweepDeclaration(name, seeds, null, emptyList(), null, BestBy("test.accuracy", true), emptyList(), emptyList())
            val trials = script.experiments.flatMap { expand(it, axes, seeds, problems) }
            duplicates(trials).forEach { problems += "sweep $name: several trials are named $it" }
            plans = listOf(d to trials)
        }
        if (problems.isNotEmpty()) {
            err.println("$file: invalid sweep (${problems.size} problem${if (problems.size > 1) "s" else ""}):")
            problems.distinct().forEach { err.println("  $it") }
            return 1
        }
        var failures = 0
        for ((sweep, trials) in plans) {
            val runner = SweepRunner(out, err, root, jobs, threads, inProcess, scriptCache, file, results, events)
            failures += runner.execute(sweep, trials, file.toString()).second
        }
        if (failures > 0) err.println("$failures trial${if (failures > 1) "s" else ""} failed; run the sweep again to redo them")
        return if (failures == 0) 0 else 1
    }

    /** Hidden `run-trial <script> --sweep NAME --trial CONFIGURATION --seed S`: one code trial, in its own process. */
    fun runTrial(args: List<String>): Int {
        val o = Options(args, setOf(), setOf("--sweep", "--trial", "--seed", "--out", "--threads"))
        val file = Path.of(o.positional.singleOrNull() ?: throw UsageException("run-trial needs one script file"))
        val sweepName = o.string("--sweep") ?: throw UsageException("run-trial needs --sweep NAME")
        val configuration = o.string("--trial") ?: throw UsageException("run-trial needs --trial CONFIGURATION")
        val seed = o.long("--seed") ?: throw UsageException("run-trial needs --seed S")
        val script = ScriptRunner(scriptCache).evaluate(file)
        val sweep = script.sweeps.firstOrNull { it.name == sweepName }
            ?: throw IllegalArgumentException("$file declares no sweep '$sweepName' (it declares ${script.sweeps.map { it.name }})")
        val code = sweep.trials.firstOrNull { it.configuration == configuration }
            ?: throw IllegalArgumentException("sweep $sweepName has no trial '$configuration' (it has ${sweep.trials.map { it.configuration }})")
        val record = runCodeTrial(runsRoot(o.string("--out")), sweepName, code, seed)
        if (record.status != RunSummary.FINISHED) {
            err.println("trial ${record.name} of sweep $sweepName failed: ${record.error}")
            return 1
        }
        out.println("trial ${record.name} of sweep $sweepName: ${record.measurements}")
        return 0
    }

    companion object {
        internal fun runsRoot(out: String?): Path = Path.of(out ?: System.getenv("GRADUS_RUNS") ?: "runs").toAbsolutePath().normalize()

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

        /** The record file of a code trial: `<root>/sweeps/<sweep>/trials/<trial>.json`. */
        fun codeTrialFile(root: Path, sweep: String, trial: String): Path =
            root.resolve(SweepRecord.DIR).resolve(sweep).resolve("trials").resolve("$trial.json")

        /** The trials of [spec] for `--grid` axes (values as typed: numbers, booleans, else strings) and seeds; problems go to [problems]. */
        fun expand(spec: ExperimentSpec, axes: List<GridAxis>, seeds: List<Long>?, problems: MutableList<String>): List<Trial> {
            var combos = listOf(Combination(emptyList(), emptyList()))
            for (a in axes) combos = combos.flatMap { c -> a.values.map { v -> Combination(c.settings + Setting(a.path, literal(v), v), c.nameParts + (a.key to v)) } }
            return expand(spec, combos, seeds, "", "--grid ", problems)
        }

        /**
         * The trials of [spec]: one per combination and seed, named `<prefix><spec>-<parts>-seed<S>`.
         * Each setting replaces an existing spec path (an unknown path is a problem naming what exists),
         * and each trial's spec must pass [SpecCompiler.validate]; every problem goes to [problems].
         */
        fun expand(
            spec: ExperimentSpec,
            combos: List<Combination>,
            seeds: List<Long>?,
            prefix: String,
            what: String,
            problems: MutableList<String>,
        ): List<Trial> {
            val base = SpecJson.json.parseToJsonElement(SpecJson.encode(spec))
            val trials = mutableListOf<Trial>()
            // the same spec problem in many trials (every seed, every draw) is listed once, with a count
            val invalid = linkedMapOf<String, MutableList<String>>()
            val badPaths = linkedMapOf<String, Pair<String, Int>>()
            for (c in combos) for (seed in seeds ?: listOf(null)) {
                var json = base
                var ok = true
                for (s in c.settings) {
                    try {
                        json = setPath(json, s.path, s.value)
                    } catch (e: IllegalArgumentException) {
                        val first = badPaths.getOrPut(s.path) { "${prefix}${spec.name}: $what${s.path}: ${e.message}" to 0 }
                        badPaths[s.path] = first.first to first.second + 1
                        ok = false
                    }
                }
                // the other settings are still checked, so every problem is listed at once
                val name = prefix + trialName(spec.name, c.nameParts, seed)
                json = setPath(json, "name", JsonPrimitive(name))
                if (seed != null) json = setPath(json, "seed", JsonPrimitive(seed))
                val trialSpec = try {
                    SpecJson.decode(json.toString())
                } catch (e: Exception) {
                    // the decoder's first line, without the offset that differs from trial to trial
                    val why = (e.message ?: e.javaClass.simpleName).lineSequence().first().replace(Regex(" at offset \\d+"), "")
                    invalid.getOrPut(why) { mutableListOf() } += name
                    continue
                }
                val p = SpecCompiler.validate(trialSpec)
                if (p.isNotEmpty()) {
                    p.forEach { invalid.getOrPut("${it.path}: ${it.message}") { mutableListOf() } += name }
                    continue
                }
                if (ok) {
                    trials += Trial(name, trialName(spec.name, c.nameParts, null), seed, c.settings.associate { it.path to it.display }, spec = trialSpec)
                }
            }
            for ((message, count) in badPaths.values) problems += message + if (count > 1) " (and ${count - 1} more trials)" else ""
            for ((problem, names) in invalid) {
                problems += if (names.size == 1) "${names[0]}: $problem" else "${names[0]} (and ${names.size - 1} more trials): $problem"
            }
            return trials
        }

        /**
         * The trials of a declared sweep: alternatives × grid × random draws × seeds (trial names
         * `<sweep>.<experiment>-<key><value>...-r<k>-seed<S>`, so no two sweeps share a run), then
         * its code trials × seeds (`<configuration>-seed<S>`). Every problem (the declaration's own,
         * unknown experiments, bad spec paths or values, claims naming unknown configurations)
         * goes to [problems], prefixed with the sweep's name.
         */
        fun plan(sweep: SweepDeclaration, declared: List<ExperimentSpec>, problems: MutableList<String>): List<Trial> {
            val own = sweep.problems()
            own.forEach { problems += "sweep ${sweep.name}: $it" }
            val names = sweep.experiments ?: if (sweep.trials.isEmpty()) declared.map { it.name } else emptyList()
            if (sweep.experiments == null && sweep.trials.isEmpty() && declared.isEmpty()) {
                problems += "sweep ${sweep.name}: the script declares no experiment and the sweep no trial(...): nothing to run"
            }
            val alternatives = names.mapNotNull { n ->
                declared.firstOrNull { it.name == n }.also {
                    if (it == null) problems += "sweep ${sweep.name}: experiments: no experiment '$n' in the script (it declares ${declared.map { d -> d.name }})"
                }
            }
            val keys = sweep.grid.map { it.path.substringAfterLast('.').substringBefore('[') }
            var combos = listOf(Combination(emptyList(), emptyList()))
            sweep.grid.forEachIndexed { k, axis ->
                // two axes ending in the same segment (layers[0].units, layers[1].units) are named by their whole path
                val key = if (keys.count { it == keys[k] } > 1) axis.path.replace("[", "").replace("]", "") else keys[k]
                combos = combos.flatMap { c ->
                    axis.values.map { v ->
                        val p = primitive(v)
                        Combination(c.settings + Setting(axis.path, p, p.content), c.nameParts + (key to p.content))
                    }
                }
            }
            // a random search with a bad distribution is already a problem; drawing from it would add noise
            sweep.random?.takeIf { r -> r.draws > 0 && r.variables.values.all { it.problem() == null } }?.let { r ->
                val draws = r.values()
                val width = draws.size.toString().length
                combos = combos.flatMap { c ->
                    draws.mapIndexed { k, values ->
                        Combination(
                            c.settings + values.map { (path, v) -> primitive(v).let { p -> Setting(path, p, p.content) } },
                            c.nameParts + ("r" to (k + 1).toString().padStart(width, '0')),
                        )
                    }
                }
            }
            val trials = mutableListOf<Trial>()
            // an empty seed list is already a problem; the specs are still checked, once
            val seeds = sweep.seeds?.takeIf { it.isNotEmpty() }
            val prefix = trialName(sweep.name, emptyList(), null) + "."
            for (spec in alternatives) trials += expand(spec, combos, seeds, prefix, "", problems)
            for (t in sweep.trials) for (seed in sweep.seeds.orEmpty()) {
                trials += Trial(trialName(t.configuration, emptyList(), seed), t.configuration, seed, emptyMap(), code = t)
            }
            duplicates(trials).forEach { problems += "sweep ${sweep.name}: several trials are named $it" }
            trials.groupBy { it.configuration }.forEach { (c, ts) ->
                if (ts.any { it.code != null } && ts.any { it.spec != null }) problems += "sweep ${sweep.name}: configuration '$c' is both an experiment and a trial(...)"
            }
            // a claim is run once on no data: a configuration it names that the sweep lacks is a mistake found now
            // (every configuration the sweep declares, also those whose specs were invalid)
            val configurations = alternatives.flatMap { a -> combos.map { trialName(a.name, it.nameParts, null) } } + sweep.trials.map { it.configuration }
            val empty = SweepStats(configurations.distinct().associateWith { emptyList() })
            for (c in sweep.claims) {
                try {
                    c.predicate(empty)
                } catch (e: IllegalArgumentException) {
                    problems += "sweep ${sweep.name}: claim '${c.text}': ${e.message}"
                } catch (_: Exception) {
                    // expected: no data yet (MissingSweepDataException), or arithmetic on empty lists
                }
            }
            return trials
        }

        private fun duplicates(trials: List<Trial>) = trials.groupBy { it.name }.filterValues { it.size > 1 }.keys

        private fun primitive(v: Any): JsonPrimitive = when (v) {
            is Number -> JsonPrimitive(v)
            is Boolean -> JsonPrimitive(v)
            else -> JsonPrimitive(v.toString())
        }

        private fun literal(v: String): JsonPrimitive {
            v.toLongOrNull()?.let { return JsonPrimitive(it) }
            v.toDoubleOrNull()?.let { return JsonPrimitive(it) }
            if (v == "true" || v == "false") return JsonPrimitive(v.toBoolean())
            return JsonPrimitive(v)
        }

        /**
         * Runs one code trial in this JVM and writes its record atomically to
         * [codeTrialFile]: finished with its measurements, or failed with the error (a
         * non-finite measurement is a failure: JSON cannot hold it, and no statistic can use it).
         */
        fun runCodeTrial(root: Path, sweep: String, trial: CodeTrial, seed: Long): SweepTrialRecord {
            val name = trialName(trial.configuration, emptyList(), seed)
            val t0 = System.nanoTime()
            val record = try {
                val values = trial.run(seed).mapValues { it.value.toDouble() }
                val bad = values.filterValues { !it.isFinite() }
                if (bad.isNotEmpty()) {
                    throw IllegalStateException(
                        "measurements must be finite numbers, got $bad; record a cap and a 0/1 indicator (\"reached\" to 0) instead",
                    )
                }
                SweepTrialRecord(name, trial.configuration, seed, status = RunSummary.FINISHED, measurements = values, wallSeconds = (System.nanoTime() - t0) / 1e9)
            } catch (e: Exception) {
                SweepTrialRecord(
                    name, trial.configuration, seed, status = RunSummary.FAILED,
                    error = "${e.javaClass.simpleName}: ${e.message}", wallSeconds = (System.nanoTime() - t0) / 1e9,
                )
            }
            val file = codeTrialFile(root, sweep, name)
            Files.createDirectories(file.parent)
            RunStore.writeAtomically(file, recordJson.encodeToString(SweepTrialRecord.serializer(), record))
            return record
        }

        /**
         * [value] in place of [old], checked against its kind (number, integer, boolean, text) so
         * a mistyped sweep value is named by its path, not by a JSON decoder's offset; a whole
         * number drawn as a double (16.0) becomes an integer where the spec holds one.
         */
        private fun compatible(old: JsonPrimitive, value: JsonPrimitive, at: String): JsonPrimitive {
            if (old is kotlinx.serialization.json.JsonNull) return value
            val oldNumber = !old.isString && old.content.toDoubleOrNull() != null
            val oldBoolean = !old.isString && (old.content == "true" || old.content == "false")
            val newNumber = !value.isString && value.content.toDoubleOrNull() != null
            return when {
                old.isString && !value.isString -> JsonPrimitive(value.content) // an enum-like text field given 3 or true: let the spec say if it is valid
                oldBoolean && value.content != "true" && value.content != "false" -> throw IllegalArgumentException("expects true or false, got ${value.content}")
                oldNumber && !newNumber -> throw IllegalArgumentException("expects a number, got '${value.content}'")
                oldNumber && INTEGER.matches(old.content) -> {
                    val d = value.content.toDouble()
                    if (d != kotlin.math.floor(d) || !d.isFinite()) throw IllegalArgumentException("expects an integer, got ${value.content}")
                    JsonPrimitive(d.toLong())
                }
                else -> value
            }
        }

        private val INTEGER = Regex("-?\\d+")

        /** [root] with the existing value at [path] (`a.b[2].c`) replaced by [value]; an unknown path is an error naming what exists. */
        fun setPath(root: JsonElement, path: String, value: JsonPrimitive): JsonElement {
            val segments = path.split('.').flatMap { seg ->
                val m = Regex("""^([^\[\]]+)((\[\d+])*)$""").matchEntire(seg) ?: throw IllegalArgumentException("malformed path segment '$seg'")
                listOf<Any>(m.groupValues[1]) + Regex("""\[(\d+)]""").findAll(m.groupValues[2]).map { it.groupValues[1].toInt() }
            }
            fun set(el: JsonElement, i: Int, at: String): JsonElement {
                if (i == segments.size) {
                    if (el !is JsonPrimitive) throw IllegalArgumentException("$at is not a single value")
                    return compatible(el, value, at)
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

/**
 * Runs the trials of one sweep and writes its [SweepRecord]. Trials of experiments run as
 * `run-spec` processes, or `resume` ones for a trial whose run was interrupted (in this JVM
 * when [inProcess]); code trials as `run-trial` processes
 * of [scriptFile], or in this JVM when [inProcess] or when there is no script (a sweep built in
 * code: its lambdas cannot be sent to another process).
 */
class SweepRunner(
    private val out: PrintStream,
    private val err: PrintStream,
    private val root: Path,
    private val jobs: Int,
    private val threads: Int,
    private val inProcess: Boolean,
    private val scriptCache: Path?,
    private val scriptFile: Path?,
    /** Where the summary table, best configuration and verdicts go. */
    private val results: PrintStream = out,
    /** `--json`: a trial-end event per trial run now, a sweep-started and a sweep-finished event. */
    private val events: JsonEvents? = null,
) {
    /**
     * The trial processes running now. Ended with this process (SIGTERM, Ctrl-C; SIGKILL cannot
     * be caught), so that none trains on unattended into a run that the next `gradus sweep`
     * would continue from its checkpoint at the same time.
     */
    private val children: MutableSet<Process> = java.util.concurrent.ConcurrentHashMap.newKeySet()

    /** Runs what is not finished yet, then summarizes; returns the record and the number of trials that failed now. */
    fun execute(sweep: SweepDeclaration, trials: List<Trial>, scriptName: String?): Pair<SweepRecord, Int> {
        val todo = trials.filter { status(sweep, it) != RunSummary.FINISHED }
        val resumable = todo.mapNotNull { t -> interruptedRun(t)?.let { t.name to it } }.toMap()
        out.println(
            "sweep %s: %d trial%s (%d to run, %d already finished), %d at once, %d thread%s each%s".format(
                sweep.name, trials.size, if (trials.size != 1) "s" else "", todo.size, trials.size - todo.size,
                jobs, threads, if (threads > 1) "s" else "",
                if (resumable.isEmpty()) "" else "; ${resumable.size} continue${if (resumable.size == 1) "s" else ""} an interrupted run from its checkpoint",
            ),
        )
        events?.emit(
            JsonEvents.SWEEP_STARTED, "sweep" to sweep.name, "trials" to trials.size, "toRun" to todo.size,
            "alreadyFinished" to trials.size - todo.size, "resuming" to resumable.keys.toList(), "jobs" to jobs, "threads" to threads,
        )
        var failures = 0
        if (todo.isNotEmpty()) {
            val endChildren = Thread {
                children.forEach { it.destroy() }
                // their checkpoint writes are atomic; waiting only keeps their last lines off the next prompt
                children.forEach { it.waitFor(10, TimeUnit.SECONDS) }
            }
            Runtime.getRuntime().addShutdownHook(endChildren)
            try {
                val pool = Executors.newFixedThreadPool(jobs)
                val futures = todo.map { t -> pool.submit<Boolean> { runTrial(sweep, t, resumable[t.name]) } }
                pool.shutdown()
                futures.forEach { if (!it.get()) failures++ }
                pool.awaitTermination(1, TimeUnit.MINUTES)
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(endChildren)
                } catch (shuttingDown: IllegalStateException) {
                    // the JVM is exiting: the hook runs
                }
            }
        }
        val record = summarize(sweep, trials.map { trialRecord(sweep, it) }, scriptName)
        val dir = root.resolve(SweepRecord.DIR).resolve(sweep.name)
        Files.createDirectories(dir)
        RunStore.writeAtomically(dir.resolve(SweepRecord.FILE), recordJson.encodeToString(SweepRecord.serializer(), record))
        RunStore.writeAtomically(dir.resolve(SweepRecord.CSV), csv(record))
        print(record)
        results.println("sweep record in ${dir.resolve(SweepRecord.FILE)} and ${SweepRecord.CSV}")
        // the plots take a few seconds (lets-plot through batik): written on request, not after every sweep
        results.println("plot it with 'gradus report ${sweep.name}${outOption()}'")
        events?.emit(
            JsonEvents.SWEEP_FINISHED, "sweep" to sweep.name, "record" to dir.resolve(SweepRecord.FILE).toString(),
            "csv" to dir.resolve(SweepRecord.CSV).toString(), "trials" to record.trials.size,
            "finished" to record.trials.count { it.status == RunSummary.FINISHED }, "failedNow" to failures,
            "best" to record.best, "bestBy" to record.bestBy,
            "configurations" to lineJson.encodeToJsonElement(ListSerializer(ConfigurationSummary.serializer()), record.configurations),
            "claims" to lineJson.encodeToJsonElement(ListSerializer(ClaimResult.serializer()), record.claims),
        )
        return record to failures
    }

    private fun status(sweep: SweepDeclaration, t: Trial): String = trialRecord(sweep, t).status

    /** ` --out ROOT` (quoted for a POSIX shell when needed) unless [root] is the default store, so the printed report command finds this sweep. */
    private fun outOption(): String {
        if (root == Sweep.runsRoot(null)) return ""
        val r = root.toString()
        return " --out " + if (r.any { it.isWhitespace() || it in "'\"\\$`" }) "'" + r.replace("'", "'\\''") + "'" else r
    }

    /**
     * The run of experiment trial [t] to continue rather than start again: its latest run, when
     * that was interrupted (no summary: killed, not failed), has checkpoints, and recorded the
     * spec [t] trains now (an edited script starts afresh). Code trials have none.
     */
    internal fun interruptedRun(t: Trial): RunStore.Run? {
        val spec = t.spec ?: return null
        val run = latestRun(t.name) ?: return null
        if (run.status() != RunSummary.INCOMPLETE || !run.resumable()) return null
        val recorded = try { SpecJson.encode(run.spec()) } catch (e: Exception) { return null }
        return run.takeIf { recorded == SpecJson.encode(spec) }
    }

    private fun latestRun(name: String): RunStore.Run? {
        val dir = root.resolve(name)
        if (!Files.isDirectory(dir)) return null
        return RunStore(root).all().lastOrNull { it.experiment == name }
    }

    /** What the store holds for [t] now: its run's (or code record's) status and measurements. */
    fun trialRecord(sweep: SweepDeclaration, t: Trial): SweepTrialRecord {
        if (t.code != null) {
            val f = Sweep.codeTrialFile(root, sweep.name, t.name)
            if (!Files.isRegularFile(f)) return SweepTrialRecord(t.name, t.configuration, t.seed, t.settings, RunSummary.INCOMPLETE)
            return recordJson.decodeFromString(SweepTrialRecord.serializer(), Files.readString(f)).copy(settings = t.settings)
        }
        val run = latestRun(t.name) ?: return SweepTrialRecord(t.name, t.configuration, t.seed, t.settings, RunSummary.INCOMPLETE)
        val s = run.summary()
        val m = linkedMapOf<String, Double>()
        if (s != null && s.status == RunSummary.FINISHED) {
            s.finalTestAccuracy?.let { m["test.accuracy"] = it }
            s.finalTestLoss?.let { m["test.loss"] = it }
            s.finalTrainLoss?.let { m["train.loss"] = it }
            run.metrics().lastOrNull()?.let { e ->
                e.validationAccuracy?.let { m["validation.accuracy"] = it }
                e.validationLoss?.let { m["validation.loss"] = it }
            }
        }
        return SweepTrialRecord(
            t.name, t.configuration, t.seed, t.settings, s?.status ?: RunSummary.INCOMPLETE, run = run.toString(),
            measurements = m.filterValues { it.isFinite() }, error = s?.error, wallSeconds = s?.wallSeconds,
        )
    }

    /** Runs [t] (continuing [interrupted] when it has one); says whether it finished. */
    private fun runTrial(sweep: SweepDeclaration, t: Trial, interrupted: RunStore.Run?): Boolean {
        val code: Int
        val log: String
        if (t.code != null && scriptFile == null) {
            // a sweep built in code: its lambda runs here
            val r = Sweep.runCodeTrial(root, sweep.name, t.code, t.seed!!)
            code = if (r.status == RunSummary.FINISHED) 0 else 1
            log = r.error ?: ""
        } else {
            val specFile = t.spec?.takeIf { interrupted == null }?.let { Files.createTempFile("gradus-trial-", ".json").also { f -> Files.writeString(f, SpecJson.encode(it)) } }
            try {
                val args = if (interrupted != null) {
                    listOf("resume", interrupted.dir.toString(), "--out", root.toString(), "--threads", threads.toString())
                } else if (specFile != null) {
                    listOf("run-spec", specFile.toString(), "--out", root.toString(), "--threads", threads.toString())
                } else {
                    listOf(
                        "run-trial", scriptFile.toString(), "--sweep", sweep.name, "--trial", t.configuration, "--seed", t.seed.toString(),
                        "--out", root.toString(), "--threads", threads.toString(),
                    )
                }
                if (inProcess) {
                    val buf = java.io.ByteArrayOutputStream()
                    val ps = PrintStream(buf, true)
                    code = Cli(ps, ps, scriptCache = scriptCache, sweepInProcess = true).run(args.toTypedArray())
                    log = buf.toString()
                } else {
                    val logFile = Files.createTempFile("gradus-trial-", ".log")
                    val pb = ProcessBuilder(javaCommand(threads) + args).redirectErrorStream(true).redirectOutput(logFile.toFile())
                    for (v in listOf("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")) pb.environment()[v] = threads.toString()
                    pb.environment()["OMP_WAIT_POLICY"] = "PASSIVE"
                    val child = pb.start()
                    children += child
                    code = try { child.waitFor() } finally { children -= child }
                    log = Files.readString(logFile)
                    Files.deleteIfExists(logFile)
                }
            } finally {
                specFile?.let { Files.deleteIfExists(it) }
            }
        }
        events?.emit(
            JsonEvents.TRIAL_END, "sweep" to sweep.name, "exitCode" to code, "resumed" to (interrupted != null),
            "trial" to lineJson.encodeToJsonElement(SweepTrialRecord.serializer(), trialRecord(sweep, t)),
        )
        synchronized(out) {
            if (code == 0) out.println("trial ${t.name}: ${if (interrupted != null) "resumed and finished" else "finished"}")
            else {
                err.println("trial ${t.name}: failed (exit $code)")
                log.lines().takeLast(15).forEach { err.println("  | $it") }
            }
        }
        return code == 0
    }

    /** The java command line of this process (same JVM, options and class path), with the libtorch thread count [threads]. */
    private fun javaCommand(threads: Int): List<String> {
        val javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        val jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().inputArguments
            .filter { !it.startsWith("-agentlib:jdwp") && !it.startsWith("-Dai.djl.pytorch.num_threads=") }
        return listOf(javaBin) + jvm + listOf("-Dai.djl.pytorch.num_threads=$threads", "-cp", System.getProperty("java.class.path"), "dev.gradus.experiments.CliKt")
    }

    private fun print(r: SweepRecord) {
        results.println()
        val w = maxOf(13, r.configurations.maxOfOrNull { it.configuration.length } ?: 0)
        val qw = maxOf(8, r.configurations.flatMap { it.statistics.keys }.maxOfOrNull { it.length } ?: 0)
        results.println("%-${w}s %-${qw}s %4s %21s %10s %21s".format("configuration", "quantity", "n", "mean ± std", "median", "min–max"))
        val f = SweepStats::fmt
        for (c in r.configurations) {
            if (c.statistics.isEmpty()) results.println("%-${w}s %-${qw}s %4d".format(c.configuration, "-", 0))
            for ((q, s) in c.statistics) {
                results.println(
                    "%-${w}s %-${qw}s %4d %21s %10s %21s".format(c.configuration, q, s.n, "${f(s.mean)} ± ${f(s.std)}", f(s.median), "${f(s.min)}–${f(s.max)}"),
                )
            }
        }
        val best = r.best?.let { b -> r.configurations.first { it.configuration == b } }
        val q = r.bestBy?.substringAfter(' ')
        if (best != null && q != null) results.println("best by ${r.bestBy}: ${best.configuration} (${f(best.statistics.getValue(q).mean)})")
        else if (q != null) results.println("best by ${r.bestBy}: none (no finished trial measured $q)")
        for (c in r.claims) {
            val verdict = when (c.holds) { true -> "HOLDS"; false -> "DOES NOT HOLD"; null -> "UNDECIDED" }
            results.println("claim: ${c.text}")
            results.println("  $verdict: ${c.detail}")
        }
    }

    private fun csv(r: SweepRecord): String {
        val quantities = r.configurations.flatMap { it.statistics.keys }.distinct()
        val sb = StringBuilder("configuration,runs")
        for (q in quantities) for (s in listOf("n", "mean", "std", "median", "min", "max")) sb.append(',').append(q).append('_').append(s)
        sb.append(",best\n")
        for (c in r.configurations) {
            sb.append(csvCell(c.configuration)).append(',').append(c.runs)
            for (q in quantities) {
                val s = c.statistics[q]
                val cells = if (s == null) List(6) { "" } else listOf(s.n.toString()) + listOf(s.mean, s.std, s.median, s.min, s.max).map { it.toString() }
                cells.forEach { sb.append(',').append(it) }
            }
            sb.append(',').append(c.configuration == r.best).append('\n')
        }
        return sb.toString()
    }

    private fun csvCell(s: String) = if (s.any { it == ',' || it == '"' || it == '\n' }) "\"" + s.replace("\"", "\"\"") + "\"" else s

    companion object {
        /** Final metrics first (in this order), then measurements in the order first seen. */
        private val METRIC_ORDER = listOf("test.accuracy", "test.loss", "train.loss", "validation.accuracy", "validation.loss")

        /** Statistics per configuration (finished trials only), the best one by [SweepDeclaration.bestBy], and the claims' verdicts. */
        fun summarize(sweep: SweepDeclaration, records: List<SweepTrialRecord>, scriptName: String?): SweepRecord {
            val byConfiguration = records.groupBy { it.configuration }
            val data = byConfiguration.mapValues { (_, ts) -> ts.filter { it.status == RunSummary.FINISHED }.map { it.measurements } }
            val summaries = data.map { (c, finished) ->
                val seen = finished.flatMap { it.keys }.distinct()
                val quantities = METRIC_ORDER.filter { it in seen } + seen.filter { it !in METRIC_ORDER }
                ConfigurationSummary(c, finished.size, quantities.associateWith { q -> statistic(finished.mapNotNull { it[q] }) })
            }
            val bestBy = sweep.bestBy
            val candidates = if (bestBy == null) emptyList() else summaries.filter { bestBy.quantity in it.statistics }
            val best = when {
                bestBy == null -> null
                bestBy.maximize -> candidates.maxByOrNull { it.statistics.getValue(bestBy.quantity).mean }
                else -> candidates.minByOrNull { it.statistics.getValue(bestBy.quantity).mean }
            }
            return SweepRecord(
                sweep.name, scriptName, Instant.now().toString(), records, summaries, best?.configuration, bestBy?.toString(),
                judge(sweep, data),
            )
        }

        /** n, mean, sample std (0 for one value), median, min, max of [xs] (not empty). */
        fun statistic(xs: List<Double>) =
            SweepStatistic(xs.size, xs.average(), SweepStats.sampleStd(xs), SweepStats.median(xs), xs.min(), xs.max())

        /** Each claim's verdict; the detail states `mean ± std (n)` of every statistic the claim read. */
        fun judge(sweep: SweepDeclaration, data: Map<String, List<Map<String, Double>>>): List<ClaimResult> = sweep.claims.map { c ->
            val stats = SweepStats(data)
            fun detail(prefix: String) = (prefix + stats.describeReads()).ifEmpty { "the claim read no statistic" }
            try {
                ClaimResult(c.text, c.predicate(stats), detail(""))
            } catch (e: MissingSweepDataException) {
                ClaimResult(c.text, null, detail("too few finished trials (${e.message}); "))
            } catch (e: Exception) {
                ClaimResult(c.text, null, detail("the claim threw ${e.javaClass.simpleName}: ${e.message}; "))
            }
        }
    }
}

/** Runs sweeps built in code (Kotlin or Java) and reads their records. */
object Sweeps {
    /**
     * Runs [sweep] over [experiments] (its alternatives; code trials need none) into the run
     * store [runsRoot]: at most [jobs] trials at once, [threads] threads each. Experiment trials
     * run as `run-spec` processes unless [inProcess]; code trials run in this JVM. Finished
     * trials of an earlier call are skipped. Invalid sweeps throw [IllegalArgumentException]
     * listing every problem.
     */
    @JvmStatic
    @JvmOverloads
    fun run(
        sweep: SweepDeclaration,
        experiments: List<ExperimentSpec>,
        runsRoot: Path,
        jobs: Int = 1,
        threads: Int = 1,
        inProcess: Boolean = false,
        out: PrintStream = System.out,
    ): SweepRecord {
        require(jobs > 0 && threads > 0) { "jobs and threads must be positive, got $jobs and $threads" }
        val problems = mutableListOf<String>()
        val trials = Sweep.plan(sweep, experiments, problems)
        require(problems.isEmpty()) { "invalid sweep ${sweep.name}:\n  " + problems.distinct().joinToString("\n  ") }
        val root = runsRoot.toAbsolutePath().normalize()
        return SweepRunner(out, System.err, root, jobs, threads, inProcess, null, null).execute(sweep, trials, null).first
    }

    /** The record of sweep [name] under [runsRoot] (`sweeps/<name>/sweep.json`). */
    @JvmStatic
    fun read(runsRoot: Path, name: String): SweepRecord {
        val f = runsRoot.resolve(SweepRecord.DIR).resolve(name).resolve(SweepRecord.FILE)
        require(Files.isRegularFile(f)) { "no sweep '$name' in $runsRoot (looked for $f)" }
        return recordJson.decodeFromString(SweepRecord.serializer(), Files.readString(f))
    }

    /** `mean ± std (n)` of [quantity] in [configuration] of [record], or null when it has no such statistic (Java-friendly). */
    @JvmStatic
    fun describe(record: SweepRecord, configuration: String, quantity: String): String? {
        val s = record.configurations.firstOrNull { it.configuration == configuration }?.statistics?.get(quantity) ?: return null
        return String.format(Locale.ROOT, "%s ± %s (%d)", SweepStats.fmt(s.mean), SweepStats.fmt(s.std), s.n)
    }
}
