package dev.gradus.experiments

import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.InvalidSpecException
import dev.gradus.dsl.SpecCompiler
import dev.gradus.engine.data.DataException
import dev.gradus.engine.train.NonFiniteValueException
import java.io.PrintStream
import java.nio.file.Path
import java.time.Instant
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    exitProcess(Cli(System.out, System.err, interactive = Terminal.interactive()).run(args))
}

/** Bad command-line usage: printed with a pointer to `gradus help`, exit code 2. */
class UsageException(message: String) : Exception(message)

/** Parsed `--name value` options and positional arguments. */
class Options(args: List<String>, private val flags: Set<String>, private val valued: Set<String>) {
    val positional = mutableListOf<String>()
    private val values = mutableMapOf<String, String>()
    private val set = mutableSetOf<String>()

    init {
        var i = 0
        while (i < args.size) {
            val a = args[i]
            when {
                a.startsWith("--") && a.contains('=') -> put(a.substringBefore('='), a.substringAfter('='))
                a in valued -> {
                    if (i + 1 >= args.size) throw UsageException("$a needs a value")
                    put(a, args[++i])
                }
                a in flags -> set += a
                a.startsWith("--") -> throw UsageException("unknown option $a")
                else -> positional += a
            }
            i++
        }
    }

    private fun put(k: String, v: String) {
        if (k !in valued) throw UsageException("unknown option $k")
        values[k] = v
    }

    fun has(flag: String) = flag in set
    fun string(name: String): String? = values[name]
    fun int(name: String, default: Int): Int = values[name]?.let {
        it.toIntOrNull()?.takeIf { n -> n > 0 } ?: throw UsageException("$name must be a positive integer, got '$it'")
    } ?: default
    fun long(name: String): Long? = values[name]?.let {
        it.toLongOrNull()?.takeIf { n -> n >= 0 } ?: throw UsageException("$name must be an integer >= 0, got '$it'")
    }
    fun double(name: String, default: Double): Double = values[name]?.let {
        it.toDoubleOrNull()?.takeIf { d -> d > 0 && d.isFinite() } ?: throw UsageException("$name must be a positive number, got '$it'")
    } ?: default
}

/** The `gradus` command line. Exit codes: 0 success, 1 the run or script failed, 2 bad usage. */
class Cli(
    private val stdout: PrintStream,
    private val stderr: PrintStream,
    /** Progress may be redrawn in place (a terminal; see [Terminal.interactive]). */
    private val interactive: Boolean = false,
    private val scriptCache: Path? = ScriptRunner.defaultCacheDir(),
    /** `sweep` runs its trials in this JVM instead of as processes (tests). */
    internal val sweepInProcess: Boolean = false,
) {

    /** Human text: progress, notes (dropped by `--quiet` and `--json`). */
    private var out: PrintStream = stdout
    /** Final result lines (tables, verdicts): kept by `--quiet`, dropped by `--json`. */
    private var results: PrintStream = stdout
    private var err: PrintStream = stderr
    private var mode = OutputMode.HUMAN
    /** The machine output of `--json`, else null. */
    private var events: JsonEvents? = null
    private val terminalWidth by lazy { Terminal.width() }

    fun run(args: Array<String>): Int {
        val command = args.firstOrNull() ?: return usage(0)
        val (selected, rest) = OutputMode.select(command, args.drop(1))
        if (command in COMMANDS && ("--help" in rest || "-h" in rest)) return commandUsage(command)
        mode = selected
        val captured = if (mode == OutputMode.JSON) CapturingStream(stderr) else null
        if (captured != null) err = PrintStream(captured, true)
        if (mode != OutputMode.HUMAN) out = nowhere
        if (mode == OutputMode.JSON) {
            results = nowhere
            events = JsonEvents(stdout)
        }
        // what scripts (and libraries) print themselves must not mix with the JSON lines: to stderr meanwhile
        val systemOut = System.out
        if (mode == OutputMode.JSON) System.setOut(stderr)
        val code = try {
            when (command) {
                "run" -> runScript(Options(rest, setOf(), setOf("--threads", "--seed", "--out", "--backend", "--device", "--only")))
                "sweep" -> Sweep(out, err, scriptCache, sweepInProcess, results, events).run(rest)
                "run-trial" -> Sweep(out, err, scriptCache, sweepInProcess).runTrial(rest)
                "run-spec" -> runSpec(Options(rest, setOf(), setOf("--threads", "--out")))
                "rerun" -> rerun(Options(rest, setOf(), setOf("--threads", "--out", "--backend", "--device")))
                "resume" -> Options(rest, setOf(), setOf("--threads", "--out")).let { Resume(this, out, err, results, events).run(it, store(it)) }
                "list" -> list(Options(rest, setOf(), setOf("--out")))
                "show" -> show(Options(rest, setOf(), setOf("--out")))
                "report" -> report(Options(rest, setOf("--all-runs"), setOf("--out")))
                "compare" -> compare(Options(rest, setOf(), setOf("--out")))
                "bench" -> Bench(out, err).run(Options(rest, setOf("--no-peer", "--no-checks"), setOf("--threads", "--warmup", "--measure", "--batch", "--rounds", "--peer", "--peer-coretype", "--backend")))
                "version", "--version" -> { out.println("gradus ${Gradus.version}"); 0 }
                "help", "--help", "-h" -> when (val topic = rest.firstOrNull()) {
                    null -> usage(0)
                    in COMMANDS -> commandUsage(topic)
                    else -> { err.println("gradus: unknown command '$topic'"); usage(2) }
                }
                else -> { err.println("gradus: unknown command '$command'"); usage(2) }
            }
        } catch (e: UsageException) {
            err.println("gradus: ${e.message}")
            err.println("run 'gradus help' for usage")
            2
        } catch (e: ScriptFailure) {
            e.messages.forEach { err.println(it) }
            1
        } catch (e: InvalidSpecException) {
            err.println(e.message)
            1
        } catch (e: IllegalArgumentException) {
            err.println("gradus: ${e.message}")
            1
        } finally {
            if (mode == OutputMode.JSON) System.setOut(systemOut)
        }
        // a failing command ends its machine output with what it said on stderr
        events?.let { ev -> if (code != 0 && !ev.errorEmitted) ev.error(captured!!.text().trim(), code) }
        return code
    }

    private fun usage(code: Int): Int {
        (if (code == 0) out else err).println(
            """
            |gradus ${Gradus.version}: deep-learning optimization experiments
            |
            |usage: gradus <command> [options]
            |  run <script.experiment.kts>  run every experiment the script declares
            |      [--threads N] [--seed S] [--out DIR] [--backend NAME] [--device cpu|cuda|cuda:N] [--only NAME]
            |  sweep <script.experiment.kts> the script's sweep { } blocks (or every experiment × --seeds ×
            |                               --grid values), one process per trial, summary and claims
            |      [--jobs N] [--threads T] [--out DIR] [--sweep NAME] [--seeds A..B] [--grid path=v1,v2,...]...
            |  rerun <run>                  run a recorded spec again and compare metrics
            |      [--threads N] [--out DIR] [--backend NAME] [--device cpu|cuda|cuda:N]
            |  resume <run> [--threads N] [--out DIR]  continue an interrupted run from its last checkpoint
            |  list [--out DIR]             recorded runs with their status
            |  show <run> [--out DIR]       one run's spec, environment and metrics
            |  report <run|sweep> [--out DIR]
            |                               write report.html and plots/*.svg, *.png: for a run, learning
            |                               curves, schedules, diagnostics by depth, gᵀg and gᵀHg; for a
            |                               sweep, mean ± std bands per configuration and the summary
            |  report <experiment> --all-runs
            |                               its finished runs (seeds) together: mean ± std bands
            |  compare <run> <run> [<run>...] [--out DIR]
            |                               the spec paths whose values differ, and a metrics table
            |  bench mlp                    training throughput of the 784-256-256-10 MLP,
            |      [--threads N] [--batch B] [--warmup S] [--measure S] [--rounds R] [--backend NAME]
            |      [--no-peer] [--peer DIR]   beside PyTorch when the peer is installed
            |      [--peer-coretype auto|none|NAME] [--no-checks]
            |  version
            |
            |<run> is a run folder, experiment/run-id, a run id, or an experiment (its latest run).
            |Runs are stored under ./runs (or --out DIR, or GRADUS_RUNS).
            |--quiet (run, rerun, sweep, resume): only the final result lines and errors.
            |--json (run, rerun, sweep, resume, list, show): one JSON object per line on stdout, nothing else there.
            |On a terminal, progress is a bar redrawn in place with the epoch's and the run's ETA;
            |elsewhere, or with TERM=dumb or CI set, one line per epoch.
            |'gradus help <command>' or 'gradus <command> --help' prints one command's options.
            """.trimMargin(),
        )
        return code
    }

    /** One command's usage and options (`gradus help <command>`, `gradus <command> --help`). */
    private fun commandUsage(command: String): Int {
        out.println(COMMAND_HELP.getValue(command).trimMargin())
        return 0
    }

    private fun compare(o: Options): Int {
        if (o.positional.size < 2) {
            throw UsageException("compare needs at least two runs, got ${o.positional.size}${o.positional.firstOrNull()?.let { " ($it)" } ?: ""}")
        }
        val st = store(o)
        Compare(out).run(o.positional.map { st.resolve(it) })
        return 0
    }

    private fun store(o: Options) = RunStore(Path.of(o.string("--out") ?: System.getenv("GRADUS_RUNS") ?: "runs").toAbsolutePath().normalize())

    private fun runScript(o: Options): Int {
        val file = Path.of(o.positional.singleOrNull() ?: throw UsageException("run needs one script file"))
        val threads = o.int("--threads", 1)
        val script = ScriptRunner(scriptCache).evaluate(file)
        var specs = script.experiments
        if (specs.isEmpty()) {
            // a script may only compute and print (a table, a plot); nothing to train or record
            events?.emit("script-compiled", "script" to file.toString(), "experiments" to emptyList<String>(), "compileSeconds" to script.compileSeconds, "cached" to script.cacheHit)
            results.println(
                "script ${file.fileName}: no experiment declared, nothing to train" +
                    if (script.sweeps.isEmpty()) "" else " (it declares sweep ${script.sweeps.joinToString { it.name }}: run it with 'gradus sweep ${file}')",
            )
            return 0
        }
        o.string("--only")?.let { only ->
            specs = specs.filter { it.name == only }
            if (specs.isEmpty()) throw UsageException("--only $only: the script declares ${script.experiments.map { it.name }}")
        }
        o.long("--seed")?.let { s -> specs = specs.map { it.copy(seed = s) } }
        o.string("--backend")?.let { b -> specs = specs.map { it.copy(backend = b) } }
        o.string("--device")?.let { d -> specs = specs.map { it.copy(device = d) } }
        // every spec is validated before anything trains: a bad second experiment stops the first too
        val problems = specs.flatMap { spec -> SpecCompiler.validate(spec).map { "${spec.name}: ${it.path}: ${it.message}" } }
        if (problems.isNotEmpty()) {
            err.println("$file: invalid experiment spec (${problems.size} problem${if (problems.size > 1) "s" else ""}):")
            problems.forEach { err.println("  $it") }
            return 1
        }
        events?.emit("script-compiled", "script" to file.toString(), "experiments" to specs.map { it.name }, "compileSeconds" to script.compileSeconds, "cached" to script.cacheHit)
        out.println(
            "script %s: %d experiment%s, compiled in %.1fs%s".format(
                file.fileName, specs.size, if (specs.size > 1) "s" else "", script.compileSeconds,
                if (script.cacheHit) " (cached)" else "",
            ),
        )
        val st = store(o)
        var failures = 0
        val finished = mutableListOf<Pair<RunStore.Run, RunSummary>>()
        for (spec in specs) {
            val run = record(st, spec, threads, file.fileName.toString(), script.text, file, script, rerunOf = null)
            if (run == null) failures++ else finished += run to run.summary()!!
        }
        printResults(finished)
        return if (failures == 0) 0 else 1
    }

    /** Runs [spec] into a new record; returns null when training failed (the record says why). */
    internal fun record(
        st: RunStore,
        spec: ExperimentSpec,
        threads: Int,
        scriptName: String?,
        scriptText: String?,
        scriptFile: Path?,
        script: EvaluatedScript?,
        rerunOf: String?,
        /** Continue this interrupted run in its own folder instead of making a new one (`gradus resume`). */
        resume: ResumePoint? = null,
    ): RunStore.Run? {
        val compiled = SpecCompiler.compile(spec)
        val run = resume?.run ?: st.create(spec, scriptName, scriptText)
        val started = Instant.now()
        if (resume == null) run.writeInfo(
            RunInfo(
                experiment = spec.name, runId = run.id, startedAt = started.toString(),
                command = "gradus " + (if (rerunOf != null) "rerun $rerunOf" else "run ${scriptFile ?: ""}") + " --threads $threads",
                scriptFile = scriptFile?.toAbsolutePath()?.toString(),
                scriptSha256 = scriptText?.let { RunStore.sha256(it) },
                rerunOf = rerunOf,
            ),
        )
        out.println("experiment ${spec.name} → ${display(run.dir)}")
        events?.emit(
            JsonEvents.RUN_STARTED, "experiment" to spec.name, "runId" to run.id, "runDir" to run.dir.toString(),
            "seed" to spec.seed, "backend" to spec.backend, "device" to spec.device, "threads" to threads, "rerunOf" to rerunOf,
            // `gradus resume`: where training continues (null: from the start)
            "resumedFrom" to resume?.checkpoint?.describe(),
        )
        val near = scriptFile ?: Gradus.home()
        val provider = dev.gradus.engine.tensor.Backends.available()[spec.backend]
        run.writeEnv(EnvInfo.record(spec.backend, provider?.summary() ?: spec.backend, spec.device, threads, near))
        val recorder = RunRecorder(run)
        resume?.let { recorder.resumeFrom(it.checkpoint) }
        val plan = RunPlan.of(spec)
        val listeners = listOfNotNull(
            recorder,
            if (mode == OutputMode.HUMAN) Progress(out, interactive, plan, if (interactive) terminalWidth else 80) else null,
            events?.let { JsonTrainingEvents(it, spec.name, run.id, plan) },
        )
        val t0 = System.nanoTime()
        fun summary(status: String, error: String?, result: dev.gradus.dsl.ExperimentResult?) = RunSummary(
            status = status, experiment = spec.name, runId = run.id, startedAt = started.toString(),
            endedAt = Instant.now().toString(), wallSeconds = (System.nanoTime() - t0) / 1e9,
            epochs = recorder.epochs.size, steps = recorder.epochs.lastOrNull()?.step ?: 0,
            finalTrainLoss = recorder.epochs.lastOrNull()?.trainLoss, finalTestLoss = recorder.epochs.lastOrNull()?.testLoss,
            finalTestAccuracy = recorder.epochs.lastOrNull()?.testAccuracy, parameterCount = result?.parameterCount,
            coldStartSeconds = recorder.coldStartSeconds, scriptCompileSeconds = script?.compileSeconds,
            scriptCacheHit = script?.cacheHit, phases = recorder.phases.toList(),
            initScales = result?.dataDrivenScales.orEmpty().map {
                InitScaleRecord(it.layerIndex(), it.scale(), it.stdBefore(), it.stdAfter(), it.iterations(), it.converged())
            },
            stages = result?.stages.orEmpty().map {
                StageRecord(it.name(), it.trained(), it.frozen(), it.result().epochs().size, it.result().steps(), it.seconds(),
                    it.result().epochs().lastOrNull()?.testLoss(), it.result().epochs().lastOrNull()?.testAccuracy())
            },
            initGradients = result?.initGradients.orEmpty().map {
                InitGradientRecord(it.layerIndex(), it.gradientStd(), it.ratio(), it.withinTolerance())
            },
            error = error,
        )
        val result = try {
            compiled.run(
                threads, listeners, null, java.util.function.Consumer { recorder.onDiagnostics(it) },
                java.util.function.Consumer { recorder.onCurvature(it) },
                compiled.checkpointStore(run.checkpoints), resume?.checkpoint,
            ).also {
                // the backend describes itself (library versions) only once it exists
                run.writeEnv(EnvInfo.record(it.spec.backend, it.backendDescription, spec.device, threads, near))
            }
        } catch (e: NonFiniteValueException) {
            return failed(run, summary(RunSummary.FAILED, e.message, null))
        } catch (e: DataException) {
            return failed(run, summary(RunSummary.FAILED, e.message, null))
        } catch (e: InvalidSpecException) {
            return failed(run, summary(RunSummary.FAILED, e.message, null))
        }
        result.parameters?.let { run.writeParameters(it) }
        val s = summary(RunSummary.FINISHED, null, result)
        result.dataDrivenScales.forEach { out.println("data-driven init: $it") }
        result.initGradients.forEach { out.println("data-driven gradient check: $it") }
        run.writeSummary(s)
        runFinished(run, s)
        return run
    }

    private fun failed(run: RunStore.Run, s: RunSummary): RunStore.Run? {
        run.writeSummary(s)
        err.println("run $run failed: ${s.error}")
        runFinished(run, s)
        return null
    }

    /** The `run-finished` event: where the run and its summary are, and the final metrics as summary.json has them. */
    private fun runFinished(run: RunStore.Run, s: RunSummary) {
        events?.emit(
            JsonEvents.RUN_FINISHED, "experiment" to s.experiment, "runId" to s.runId, "runDir" to run.dir.toString(),
            "status" to s.status, "summary" to run.dir.resolve(RunStore.SUMMARY).toString(),
            "epochs" to s.epochs, "steps" to s.steps, "wallSeconds" to s.wallSeconds,
            "finalTrainLoss" to s.finalTrainLoss, "finalTestLoss" to s.finalTestLoss, "finalTestAccuracy" to s.finalTestAccuracy,
            "bestTestAccuracy" to run.metrics().maxOfOrNull { it.testAccuracy }, "error" to s.error,
        )
    }

    private fun printEpochs(epochs: List<EpochRecord>) {
        out.println("%-6s %11s %10s %9s %8s %12s".format("epoch", "train loss", "test loss", "test acc", "time", "samples/s"))
        for (e in epochs) {
            out.println(
                "%-6d %11.4f %10.4f %8.2f%% %7.1fs %,12.0f".format(e.epoch, e.trainLoss, e.testLoss, 100 * e.testAccuracy, e.seconds, e.samplesPerSecond),
            )
        }
    }

    /** The result table: one row per finished run of this command. */
    private fun printResults(rows: List<Pair<RunStore.Run, RunSummary>>) {
        if (rows.isEmpty()) return
        results.println()
        val w = maxOf(20, rows.maxOf { it.second.experiment.length })
        results.println("%-${w}s %-18s %6s %11s %10s %9s %9s %8s %11s".format("experiment", "run", "epochs", "train loss", "test loss", "test acc", "best acc", "wall", "cold start"))
        for ((run, s) in rows) {
            val best = run.metrics().maxOfOrNull { it.testAccuracy } ?: Double.NaN
            results.println(
                "%-${w}s %-18s %6d %11.4f %10.4f %8.2f%% %8.2f%% %7.1fs %11s".format(
                    s.experiment, s.runId, s.epochs, s.finalTrainLoss ?: Double.NaN, s.finalTestLoss ?: Double.NaN,
                    100 * (s.finalTestAccuracy ?: Double.NaN), 100 * best, s.wallSeconds,
                    s.coldStartSeconds?.let { "%.1fs".format(it) } ?: "-",
                ),
            )
        }
        printBySeedGroups(rows)
        results.println("records in ${display(rows.first().first.dir.parent.parent)}; see them with 'gradus list' and 'gradus show <run>'")
    }

    /**
     * Runs whose specs differ only in name and seed are one configuration repeated over seeds:
     * for those, mean ± sample standard deviation, min–max of the final test accuracy, and mean wall time.
     */
    private fun printBySeedGroups(rows: List<Pair<RunStore.Run, RunSummary>>) {
        val groups = rows.groupBy { (run, _) -> dev.gradus.dsl.SpecJson.encode(run.spec().copy(name = "", seed = 0)) }.values.filter { it.size > 1 }
        if (groups.isEmpty()) return
        results.println()
        results.println("%-28s %4s %18s %16s %9s".format("configuration (over seeds)", "runs", "test acc mean±std", "min–max", "wall"))
        for (g in groups) {
            val acc = g.map { 100 * (it.second.finalTestAccuracy ?: Double.NaN) }
            val mean = acc.average()
            val std = if (acc.size > 1) kotlin.math.sqrt(acc.sumOf { (it - mean) * (it - mean) } / (acc.size - 1)) else 0.0
            results.println(
                "%-28s %4d %11.2f ± %4.2f %7.2f–%6.2f %8.1fs".format(
                    groupLabel(g.map { it.second.experiment }), g.size, mean, std, acc.min(), acc.max(), g.map { it.second.wallSeconds }.average(),
                ),
            )
        }
    }

    /** The names' common prefix without a trailing "seed" and separators ("fashion-adam-seed1", ... → "fashion-adam"). */
    private fun groupLabel(names: List<String>): String {
        var prefix = names.first()
        for (n in names) prefix = prefix.commonPrefixWith(n)
        return prefix.trimEnd('-', '_', '.').removeSuffix("seed").trimEnd('-', '_', '.').ifEmpty { names.first() }
    }

    /** Hidden: runs the spec JSON in a file into a new record (the trials of `sweep`). */
    private fun runSpec(o: Options): Int {
        val f = Path.of(o.positional.singleOrNull() ?: throw UsageException("run-spec needs one spec.json file"))
        val spec = dev.gradus.dsl.SpecJson.decode(java.nio.file.Files.readString(f))
        SpecCompiler.validate(spec).takeIf { it.isNotEmpty() }?.let { problems ->
            err.println("$f: invalid experiment spec:")
            problems.forEach { err.println("  ${it.path}: ${it.message}") }
            return 1
        }
        val run = record(store(o), spec, o.int("--threads", 1), null, null, null, null, rerunOf = null) ?: return 1
        printResults(listOf(run to run.summary()!!))
        return 0
    }

    private fun rerun(o: Options): Int {
        val ref = o.positional.singleOrNull() ?: throw UsageException("rerun needs one run")
        val st = store(o)
        val original = st.resolve(ref)
        var spec = original.spec()
        o.string("--backend")?.let { spec = spec.copy(backend = it) }
        o.string("--device")?.let { spec = spec.copy(device = it) }
        val threads = o.int("--threads", original.env()?.threads ?: 1)
        SpecCompiler.validate(spec).takeIf { it.isNotEmpty() }?.let { problems ->
            err.println("$original: the recorded spec is no longer valid:")
            problems.forEach { err.println("  ${it.path}: ${it.message}") }
            return 1
        }
        val again = record(st, spec, threads, null, null, null, null, rerunOf = original.toString()) ?: return 1
        printResults(listOf(again to again.summary()!!))
        val a = original.metrics().map { it.deterministicPart() }
        val b = again.metrics().map { it.deterministicPart() }
        val firstDifference = if (a == b) null else a.indices.firstOrNull { it >= b.size || a[it] != b[it] } ?: a.size
        events?.emit(
            "rerun-compared", "original" to original.toString(), "rerun" to again.toString(), "identical" to (a == b),
            "epochs" to a.size, "firstDifferentEpoch" to firstDifference?.let { it + 1 },
        )
        return if (a == b) {
            results.println("metrics are bit-identical to $original (${a.size} epochs)")
            0
        } else {
            val first = firstDifference!!
            err.println("metrics differ from $original from epoch ${first + 1} on (threads or backend differ? original: ${original.env()?.threads} thread(s), ${original.env()?.backend})")
            1
        }
    }

    private fun list(o: Options): Int {
        val st = store(o)
        val runs = st.all()
        events?.let { ev ->
            for (r in runs) {
                val m = r.metrics()
                ev.emit(
                    "run", "experiment" to r.experiment, "runId" to r.id, "runDir" to r.dir.toString(), "status" to r.status(),
                    "resumable" to (r.status() == RunSummary.INCOMPLETE && r.resumable()),
                    "epochs" to m.size, "testAccuracy" to m.lastOrNull()?.testAccuracy,
                    "startedAt" to (r.info()?.startedAt ?: r.summary()?.startedAt),
                )
            }
        }
        if (runs.isEmpty()) {
            out.println("no runs in ${st.root}")
            return 0
        }
        out.println("%-24s %-18s %-10s %6s %9s  %s".format("experiment", "run", "status", "epochs", "test acc", "started"))
        for (r in runs) {
            val s = r.summary()
            val m = r.metrics()
            out.println(
                "%-24s %-18s %-10s %6s %9s  %s".format(
                    r.experiment, r.id, r.status().let { if (it == RunSummary.INCOMPLETE && r.resumable()) "resumable" else it }, m.size,
                    m.lastOrNull()?.let { "%.2f%%".format(100 * it.testAccuracy) } ?: "-",
                    r.info()?.startedAt ?: s?.startedAt ?: "-",
                ),
            )
        }
        return 0
    }

    private fun report(o: Options): Int {
        val ref = o.positional.singleOrNull() ?: throw UsageException("report needs one run or sweep")
        val store = store(o)
        if (o.has("--all-runs")) {
            val written = SweepReport.ofExperiment(store, ref).write()
            out.println("report of experiment $ref over its finished runs: ${written.panels} plots (SVG and PNG) in ${display(written.html.resolveSibling(RunStore.PLOTS))}")
            out.println(written.html)
            return 0
        }
        // a run reference as for every command; else a sweep (its folder, sweeps/<name> or its name)
        val explicitSweep = ref.startsWith(SweepRecord.DIR + "/") || java.nio.file.Files.exists(Path.of(ref).resolve(SweepRecord.FILE))
        val run = if (explicitSweep) null else try {
            store.resolve(ref)
        } catch (noRun: IllegalArgumentException) {
            if (SweepReport.find(store, ref) == null) {
                val sweeps = SweepReport.names(store)
                throw IllegalArgumentException(noRun.message + if (sweeps.isEmpty()) "; no sweeps" else "; sweeps: ${sweeps.joinToString()}")
            }
            null
        }
        val (what, written) = if (run != null) {
            "$run" to Report(run).write()
        } else {
            val dir = SweepReport.find(store, ref)
                ?: throw IllegalArgumentException("no sweep '$ref' in ${store.root.resolve(SweepRecord.DIR)}; sweeps: ${SweepReport.names(store).joinToString().ifEmpty { "none" }}")
            "sweep ${dir.fileName}" to SweepReport(store, dir).write()
        }
        out.println("report of $what: ${written.panels} plots (SVG and PNG) in ${display(written.html.resolveSibling(RunStore.PLOTS))}")
        out.println(written.html)
        return 0
    }

    private fun show(o: Options): Int {
        val ref = o.positional.singleOrNull() ?: throw UsageException("show needs one run")
        val r = store(o).resolve(ref)
        val s = r.summary()
        events?.emit(
            "run", "experiment" to r.experiment, "runId" to r.id, "runDir" to r.dir.toString(), "status" to r.status(),
            "info" to r.info()?.let { lineJson.encodeToJsonElement(RunInfo.serializer(), it) },
            "env" to r.env()?.let { lineJson.encodeToJsonElement(EnvRecord.serializer(), it) },
            "spec" to lineJson.parseToJsonElement(dev.gradus.dsl.SpecJson.encode(r.spec())),
            "summary" to s?.let { lineJson.encodeToJsonElement(RunSummary.serializer(), it) },
            "metrics" to r.metrics().map { lineJson.encodeToJsonElement(EpochRecord.serializer(), it) },
        )
        out.println("run ${r} (${r.status()})  ${r.dir}")
        r.info()?.let { out.println("started ${it.startedAt}  command: ${it.command}" + (it.rerunOf?.let { o -> "  rerun of $o" } ?: "")) }
        r.env()?.let { out.println("env: gradus ${it.gradusVersion}, ${it.backendDescription}, java ${it.javaVersion}, ${it.os}" + (it.gitCommit?.let { c -> ", git ${c.take(12)}${if (it.gitDirty == true) " (dirty)" else ""}" } ?: "")) }
        out.println("spec:")
        dev.gradus.dsl.SpecJson.encode(r.spec()).lines().forEach { out.println("  $it") }
        val m = r.metrics()
        if (m.isNotEmpty()) printEpochs(m)
        val d = r.diagnostics()
        if (d.isNotEmpty()) {
            val epochs = d.map { it.epoch }.distinct()
            out.println(
                "diagnostics: ${RunStore.DIAGNOSTICS} (${epochs.size} snapshots at epochs ${epochs.joinToString(", ")}, " +
                    "${d.map { it.layer }.distinct().size} layers); plot them with 'gradus report ${r}'",
            )
        }
        val cv = r.curvature()
        if (cv.isNotEmpty()) out.println("curvature: ${RunStore.CURVATURE} (${cv.size} measurements of gᵀg and gᵀHg); plot them with 'gradus report ${r}'")
        if (java.nio.file.Files.exists(r.dir.resolve(RunStore.REPORT))) out.println("report: ${r.dir.resolve(RunStore.REPORT)}")
        if (s != null && s.status == RunSummary.FINISHED) printResults(listOf(r to s))
        s?.error?.let { out.println("error: $it") }
        return 0
    }
}

private val COMMANDS = setOf("run", "sweep", "rerun", "resume", "list", "show", "report", "compare", "bench", "version")

private val RUN_NOTE = """
    |
    |<run> is a run folder, experiment/run-id, a run id, or an experiment (its latest run).
    |--out DIR  the run store (default ./runs, or GRADUS_RUNS)"""

private val COMMAND_HELP = mapOf(
    "run" to """
        |usage: gradus run <script.experiment.kts> [options]
        |Runs every experiment the script declares and records each run.
        |  --threads N          CPU threads (default 1)
        |  --seed S             overrides every experiment's seed
        |  --out DIR            the run store (default ./runs, or GRADUS_RUNS)
        |  --backend NAME       overrides the backend
        |  --device cpu|cuda|cuda:N  overrides the device
        |  --only NAME          runs only the experiment of that name
        |  --quiet              only the final result lines and errors
        |  --json               one JSON object per line on stdout (run-started, epoch, phase-end,
        |                       stage-end, run-finished, error; see the README), nothing else there
    """,
    "sweep" to """
        |usage: gradus sweep <script.experiment.kts> [options]
        |Runs the sweep { } blocks of the script: each configuration (alternative experiments ×
        |grid × random draws, or trial("name") { seed -> ... } computed by code) for each seed,
        |one process per trial. Trials already finished are skipped, so an interrupted sweep
        |resumes: an interrupted run of an experiment trial (same spec, with checkpoints) continues
        |from its last checkpoint as with 'gradus resume'; failed ones and code trials run again.
        |Then per configuration: runs and n, mean ± std, median, min–max of every final metric and
        |measurement, the best configuration and the claims' verdicts, saved in
        |<runs>/sweeps/<name>/sweep.json and summary.csv; 'gradus report <name>' plots them.
        |A script without a sweep block: every experiment × --seeds × --grid, named
        |<experiment>-<key><value>-...-seed<S>, recorded as the sweep <script name>.
        |  --jobs N             trials at once (default 1)
        |  --threads T          CPU threads of each trial (default 1)
        |  --sweep NAME         only this sweep of the script
        |  --seeds A..B         seeds (or S1,S2,...); overrides the sweep's (default: each experiment's own seed)
        |  --grid path=v1,v2    (scripts without a sweep block) a spec.json path and its values
        |                       (optimizer.lr, train.batchSize, model.layers[0].units); repeatable
        |  --out DIR            the run store (default ./runs, or GRADUS_RUNS)
        |  --quiet              only the summary tables, best configurations, claims and errors
        |  --json               one JSON object per line on stdout (sweep-started, trial-end per
        |                       trial, sweep-finished with the statistics and verdicts, error; see
        |                       the README), nothing else there (trial logs go nowhere near it)
    """,
    "rerun" to """
        |usage: gradus rerun <run> [options]
        |Runs a recorded spec again and says whether the metrics are bit-identical.
        |  --threads N          CPU threads (default: the recorded run's)
        |  --backend NAME       overrides the backend
        |  --device cpu|cuda|cuda:N  overrides the device
        |  --quiet              only the result table, the verdict and errors
        |  --json               one JSON object per line on stdout (run-started, epoch, phase-end,
        |                       stage-end, run-finished, rerun-compared, error; see the README),
        |                       nothing else there$RUN_NOTE
    """,
    "resume" to """
        |usage: gradus resume <run> [--threads N] [--out DIR] [--quiet | --json]
        |Continues an interrupted run in its own folder from its newest readable checkpoint
        |(checkpoints/, taken after every epoch unless train { checkpoints(...) } says otherwise):
        |parameters, optimizer state, random streams, data order, schedules, stopping rules and
        |curriculum are restored, so the finished run is bit-identical to an uninterrupted one.
        |metrics.jsonl, diagnostics.jsonl and curvature.jsonl are rewound to the checkpoint first.
        |A finished run is left as it is; a run without checkpoints trains again from the start.
        |  --threads N          CPU threads (default: the run's; results are bit-identical only at the same count)
        |  --quiet              only the final line and errors
        |  --json               one JSON object per line on stdout (run-started with resumedFrom,
        |                       epoch, phase-end, stage-end, run-finished; resume-skipped for a
        |                       finished run; error), nothing else there$RUN_NOTE
    """,
    "list" to """
        |usage: gradus list [--out DIR] [--json]
        |Every recorded run: experiment, run id, status, epochs, test accuracy, start time.
        |  --out DIR            the run store (default ./runs, or GRADUS_RUNS)
        |  --json               one JSON object per run ("event": "run"), nothing else on stdout
    """,
    "show" to """
        |usage: gradus show <run> [--out DIR] [--json]
        |One run's spec, environment and metrics by epoch.
        |  --json               one JSON object ("event": "run") with info, env, spec, summary
        |                       and metrics, nothing else on stdout$RUN_NOTE
    """,
    "report" to """
        |usage: gradus report <run | sweep> [--out DIR]
        |       gradus report <experiment> --all-runs [--out DIR]
        |For a run: writes report.html and plots/*.svg and *.png into the run folder: loss and
        |accuracy curves, every per-epoch schedule (learning rate, momentum, curriculum share,
        |continuation σ, gradient norm), signal-propagation diagnostics by depth, gᵀg and gᵀHg of
        |train { curvature() }.$RUN_NOTE
        |For a sweep (its name, sweeps/<name> or its folder; a run of the same name wins): writes
        |them into <out>/sweeps/<name>/: per configuration the mean curve over seeds with a
        |mean ± std band, error bars of other measurements, the summary table and the claims.
        |With --all-runs: the experiment's finished runs (e.g. one per --seed) as one group, the
        |same bands and table, written to <out>/<experiment>/report.html.
        |The HTML is self-contained (inline SVG, no scripts); open it in any browser.
    """,
    "compare" to """
        |usage: gradus compare <run> <run> [<run>...] [--out DIR]
        |The spec.json paths whose values differ between the runs (optimizer.lr,
        |model.layers[1].units; '-' where a run lacks the path), then one row per run:
        |status, epochs, steps, final train loss, final test loss, final and best test
        |accuracy, wall time.$RUN_NOTE
    """,
    "bench" to """
        |usage: gradus bench mlp [options]
        |Training throughput of the 784-256-256-10 MLP, beside PyTorch when the peer is installed.
        |  --threads N          CPU threads (default 1)
        |  --batch B            batch size (default 128)
        |  --warmup S           warm-up seconds (default 2)
        |  --measure S          measured seconds (default 8)
        |  --rounds R           measured rounds (default 1)
        |  --backend NAME[,NAME...]  the backends to measure
        |  --no-peer            no PyTorch peer
        |  --peer DIR           where the PyTorch peer is installed
        |  --peer-coretype auto|none|NAME  the peer's OpenBLAS kernel (default auto)
        |  --no-checks          skips the checks
    """,
    "version" to """
        |usage: gradus version
        |Prints the Gradus version.
    """,
)

/** [p] relative to the working directory when it lies below it. */
private fun display(p: Path): Path {
    val here = Path.of("").toAbsolutePath()
    return if (p.startsWith(here)) here.relativize(p) else p
}
