package dev.gradus.experiments

import dev.gradus.dsl.SpecCompiler
import dev.gradus.engine.checkpoint.Checkpoint
import java.io.PrintStream

/** Where `gradus resume` continues: an interrupted run's folder and its newest readable checkpoint (null: from the start). */
class ResumePoint(val run: RunStore.Run, val checkpoint: Checkpoint?)

/**
 * `gradus resume <run>`: continues an interrupted run in its own folder from its newest readable
 * checkpoint, so that its final metrics and parameters are bit-identical to an uninterrupted
 * run's (at the same thread count and backend). A finished run is left alone; a run without a
 * readable checkpoint trains again from the start, in place.
 */
internal class Resume(
    private val cli: Cli,
    private val out: PrintStream,
    private val err: PrintStream,
    /** Where the final line goes (kept by `--quiet`). */
    private val results: PrintStream = out,
    /** The machine output of `--json`, else null. */
    private val events: JsonEvents? = null,
) {
    fun run(o: Options, st: RunStore): Int {
        val ref = o.positional.singleOrNull() ?: throw UsageException("resume needs one run")
        val run = st.resolve(ref)
        val summary = run.summary()
        if (summary?.status == RunSummary.FINISHED) {
            events?.emit(
                JsonEvents.RESUME_SKIPPED, "experiment" to run.experiment, "runId" to run.id, "runDir" to run.dir.toString(),
                "status" to summary.status, "epochs" to summary.epochs, "reason" to "the run already finished",
            )
            results.println("$run already finished (${summary.epochs} epochs); nothing to resume")
            return 0
        }
        val spec = run.spec()
        SpecCompiler.validate(spec).takeIf { it.isNotEmpty() }?.let { problems ->
            err.println("$run: the recorded spec is no longer valid:")
            problems.forEach { err.println("  ${it.path}: ${it.message}") }
            return 1
        }
        val threads = o.int("--threads", run.env()?.threads ?: 1)
        val store = SpecCompiler.compile(spec).checkpointStore(run.checkpoints)
        val loaded = store?.latest()
        loaded?.skipped()?.forEach { err.println("gradus: skipping a damaged checkpoint: $it") }
        if (loaded == null) {
            val why = if (store == null) "takes no checkpoints (train.checkpoints is off)" else "has no readable checkpoint"
            out.println("$run $why; training it again from the start, in place")
        } else {
            out.println("resuming $run from ${loaded.file().fileName}: ${loaded.checkpoint().describe()}")
        }
        val resumed = cli.record(st, spec, threads, null, null, null, null, rerunOf = null, resume = ResumePoint(run, loaded?.checkpoint()))
            ?: return 1
        val s = resumed.summary()!!
        results.println(
            "$run finished: %d epochs, final test accuracy %.2f%%".format(s.epochs, 100 * (s.finalTestAccuracy ?: Double.NaN)),
        )
        return 0
    }
}
