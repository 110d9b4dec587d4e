package dev.gradus.experiments

import dev.gradus.dsl.EarlyStoppingStop
import dev.gradus.dsl.EpochsStop
import dev.gradus.dsl.GreedyLayerwiseSpec
import dev.gradus.dsl.PhaseSpec
import dev.gradus.dsl.PipelineSpec
import dev.gradus.dsl.SpecJson
import dev.gradus.dsl.StepsStop
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.PhaseResult
import dev.gradus.engine.train.StepEvent
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.double
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.writeText

/** --quiet, --json, the progress bar's ETA, and help listing the flags. */
class CliUsabilitySpec : FunSpec({
    val work = Files.createTempDirectory("gradus-usability")
    val runs = work.resolve("runs")
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    fun script(name: String, text: String): Path = work.resolve(name).also { it.writeText(text.trimIndent()) }

    fun tiny(name: String) = """
        experiment("$name") {
            seed = 3
            data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
            model { dense(16, tanh); output(classes = 3) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 2; batchSize = 32 }
        }
    """

    fun jsonLines(text: String): List<JsonObject> = text.lines().filter { it.isNotEmpty() }.map { Json.parseToJsonElement(it).jsonObject }
    fun JsonObject.event() = this["event"]!!.jsonPrimitive.content
    fun JsonObject.str(k: String) = this[k]!!.jsonPrimitive.content

    test("--quiet prints only the result table and where the records are") {
        val f = script("quiet.experiment.kts", tiny("quiet"))
        val r = gradus("run", f.toString(), "--out", runs.toString(), "--quiet")
        r.err shouldBe ""
        r.code shouldBe 0
        val lines = r.out.lines().filter { it.isNotBlank() }
        // header, one row, the records line: no compile note, no run folder note, no epoch lines
        lines shouldHaveSize 3
        lines[0] shouldContain "experiment"
        lines[0] shouldContain "test acc"
        lines[1].split(Regex("\\s+"))[0] shouldBe "quiet"
        lines[2] shouldContain "records in"
        r.out shouldNotContain "epoch 1/"
        r.out shouldNotContain "compiled in"
        RunStore(runs).resolve("quiet").status() shouldBe RunSummary.FINISHED

        // rerun --quiet: the table, where the records are, and the verdict
        val again = gradus("rerun", "quiet", "--out", runs.toString(), "--quiet")
        again.code shouldBe 0
        val rerunLines = again.out.lines().filter { it.isNotBlank() }
        rerunLines shouldHaveSize 4
        rerunLines[3] shouldContain "metrics are bit-identical to quiet/"
        again.out shouldNotContain "experiment quiet →"
    }

    test("--json: every stdout line is a JSON object; run-finished carries summary.json's final metrics") {
        // what the script prints itself goes to stderr, so stdout stays machine-readable
        val f = script("machine.experiment.kts", "println(\"hello from the script\")\n" + tiny("machine").trimIndent())
        val r = gradus("run", f.toString(), "--out", runs.toString(), "--json")
        r.err shouldBe "hello from the script\n"
        r.code shouldBe 0
        val events = jsonLines(r.out)
        events.map { it.event() } shouldContainExactly listOf(
            "script-compiled", JsonEvents.RUN_STARTED, JsonEvents.EPOCH, JsonEvents.EPOCH, JsonEvents.PHASE_END, JsonEvents.STAGE_END,
            JsonEvents.RUN_FINISHED,
        )
        val started = events[1]
        val runDir = Path.of(started.str("runDir"))
        runDir.exists() shouldBe true
        started.str("experiment") shouldBe "machine"
        events[2]["epoch"]!!.jsonPrimitive.int shouldBe 1
        events[3]["epoch"]!!.jsonPrimitive.int shouldBe 2
        // after the last epoch nothing is left to run
        events[3]["runSecondsLeft"]!!.jsonPrimitive.double shouldBe 0.0
        events[5].str("stage") shouldBe "train"
        val finished = events[6]
        finished.str("status") shouldBe RunSummary.FINISHED
        val summaryFile = Path.of(finished.str("summary"))
        summaryFile shouldBe runDir.resolve(RunStore.SUMMARY)
        val summary = Json.parseToJsonElement(Files.readString(summaryFile)).jsonObject
        for (k in listOf("finalTrainLoss", "finalTestLoss", "finalTestAccuracy", "epochs", "steps")) {
            finished[k]!!.jsonPrimitive.double shouldBe summary[k]!!.jsonPrimitive.double
        }
        // the epoch events are metrics.jsonl's lines
        val last = RunStore(runs).resolve("machine").metrics().last()
        events[3]["testAccuracy"]!!.jsonPrimitive.double shouldBe last.testAccuracy
        events[3]["trainLoss"]!!.jsonPrimitive.double shouldBe last.trainLoss
    }

    test("--json on rerun, list and show prints only JSON objects") {
        val rerun = gradus("rerun", "machine", "--out", runs.toString(), "--json")
        rerun.code shouldBe 0
        val ev = jsonLines(rerun.out)
        ev.first().event() shouldBe JsonEvents.RUN_STARTED
        ev.first().str("rerunOf") shouldContain "machine/"
        val compared = ev.single { it.event() == "rerun-compared" }
        compared["identical"]!!.jsonPrimitive.content shouldBe "true"
        compared["epochs"]!!.jsonPrimitive.int shouldBe 2

        val list = gradus("list", "--out", runs.toString(), "--json")
        list.code shouldBe 0
        val rows = jsonLines(list.out)
        rows.all { it.event() == "run" } shouldBe true
        rows.count { it.str("experiment") == "machine" } shouldBe 2
        rows.map { it.str("status") }.toSet() shouldBe setOf(RunSummary.FINISHED)

        val show = gradus("show", "machine", "--out", runs.toString(), "--json")
        show.code shouldBe 0
        val one = jsonLines(show.out).single()
        one.event() shouldBe "run"
        one["spec"]!!.jsonObject["name"]!!.jsonPrimitive.content shouldBe "machine"
        one["metrics"]!!.jsonArray shouldHaveSize 2
        one["summary"]!!.jsonObject["status"]!!.jsonPrimitive.content shouldBe RunSummary.FINISHED
    }

    test("--json on a failing command ends with an error event and keeps the exit code") {
        val bad = script("broken.experiment.kts", """experiment("broken") { seed = "x" }""")
        val r = gradus("run", bad.toString(), "--out", runs.toString(), "--json")
        r.code shouldBe 1
        val ev = jsonLines(r.out)
        val error = ev.last()
        error.event() shouldBe JsonEvents.ERROR
        error["exitCode"]!!.jsonPrimitive.int shouldBe 1
        error.str("message") shouldContain "broken.experiment.kts:1"
        r.err shouldContain "broken.experiment.kts:1" // still on stderr for people

        val usage = gradus("show", "no-such-run", "--out", runs.toString(), "--json")
        usage.code shouldBe 1
        jsonLines(usage.out).single().event() shouldBe JsonEvents.ERROR
    }

    test("sweep --json: only JSON lines (trial logs stay off stdout), a trial-end per trial, then sweep-finished; --quiet: only the summary") {
        // the experiment trial and the code trial both run as child processes, which print; none of it may reach stdout
        val f = script(
            "sweepjson.experiment.kts",
            tiny("sj") + """
            sweep("sj-sweep") {
                seeds(1)
                experiments("sj")
                trial("noisy") { seed -> println("noise from the trial"); mapOf("test.accuracy" to 0.1 * seed) }
                claim("training beats the constant") { s -> s.mean("test.accuracy", "sj") > s.mean("test.accuracy", "noisy") }
            }
            """.trimIndent(),
        )
        val r = gradus("sweep", f.toString(), "--out", runs.toString(), "--json")
        r.code shouldBe 0
        r.out shouldNotContain "noise"
        val ev = jsonLines(r.out)
        ev.map { it.event() } shouldContainExactly listOf(JsonEvents.SWEEP_STARTED, JsonEvents.TRIAL_END, JsonEvents.TRIAL_END, JsonEvents.SWEEP_FINISHED)
        ev[0]["toRun"]!!.jsonPrimitive.int shouldBe 2
        val trials = ev.filter { it.event() == JsonEvents.TRIAL_END }.map { it["trial"]!!.jsonObject }
        trials.map { it.str("name") }.toSet() shouldBe setOf("sj-sweep.sj-seed1", "noisy-seed1")
        trials.forEach { it.str("status") shouldBe RunSummary.FINISHED }
        val trained = trials.single { it.str("name") == "sj-sweep.sj-seed1" }
        trained.str("run") shouldBe RunStore(runs).resolve("sj-sweep.sj-seed1").toString()
        trained["measurements"]!!.jsonObject["test.accuracy"]!!.jsonPrimitive.double shouldBe
            RunStore(runs).resolve("sj-sweep.sj-seed1").summary()!!.finalTestAccuracy
        val done = ev.last()
        done.str("sweep") shouldBe "sj-sweep"
        Path.of(done.str("record")) shouldBe runs.resolve("sweeps/sj-sweep/sweep.json")
        Path.of(done.str("csv")).exists() shouldBe true
        done.str("bestBy") shouldBe "max test.accuracy"
        val record = Sweeps.read(runs, "sj-sweep")
        done.str("best") shouldBe record.best
        done["configurations"]!!.jsonArray.map { it.jsonObject.str("configuration") } shouldBe listOf("sj", "noisy")
        done["configurations"]!!.jsonArray[1].jsonObject["statistics"]!!.jsonObject["test.accuracy"]!!.jsonObject["mean"]!!.jsonPrimitive.double shouldBe 0.1
        val claim = done["claims"]!!.jsonArray.single().jsonObject
        claim.str("text") shouldBe "training beats the constant"
        claim.str("holds") shouldBe record.claims.single().holds.toString()

        // everything finished: --quiet prints the table, the best, the verdict and where the record is, nothing else
        val q = gradus("sweep", f.toString(), "--out", runs.toString(), "--quiet")
        q.err shouldBe ""
        q.code shouldBe 0
        val lines = q.out.lines().filter { it.isNotBlank() }
        lines[0] shouldContain "configuration"
        lines.count { it.startsWith("sj ") || it.startsWith("noisy ") } shouldBe 4 // sj: three final metrics; noisy: one
        lines shouldHaveSize 10
        lines[5] shouldContain "best by max test.accuracy: ${record.best} ("
        lines[6] shouldBe "claim: training beats the constant"
        lines[7] shouldContain "  ${if (record.claims.single().holds == true) "HOLDS" else "DOES NOT HOLD"}: test.accuracy of sj: "
        lines[8] shouldBe "sweep record in ${runs.resolve("sweeps/sj-sweep/sweep.json")} and summary.csv"
        lines[9] shouldBe "plot it with 'gradus report sj-sweep --out $runs'"
        q.out shouldNotContain "trials ("
    }

    test("resume --json and --quiet") {
        val f = script("res.experiment.kts", tiny("res"))
        gradus("run", f.toString(), "--out", runs.toString(), "--quiet").code shouldBe 0
        val run = RunStore(runs).resolve("res")
        Files.delete(run.dir.resolve(RunStore.SUMMARY))
        // epoch 2's checkpoint gone: resume continues from epoch 1's
        run.checkpoints.toFile().listFiles()!!.map { it.name }.sorted().drop(1).forEach { Files.delete(run.checkpoints.resolve(it)) }
        val j = gradus("resume", "res", "--out", runs.toString(), "--json")
        j.code shouldBe 0
        val ev = jsonLines(j.out)
        ev.map { it.event() } shouldContainExactly listOf(JsonEvents.RUN_STARTED, JsonEvents.EPOCH, JsonEvents.PHASE_END, JsonEvents.STAGE_END, JsonEvents.RUN_FINISHED)
        ev[0].str("runDir") shouldBe run.dir.toString()
        ev[0].str("resumedFrom") shouldContain "epoch 1"
        ev[1]["epoch"]!!.jsonPrimitive.int shouldBe 2
        ev.last().str("status") shouldBe RunSummary.FINISHED

        val skipped = gradus("resume", "res", "--out", runs.toString(), "--json")
        skipped.code shouldBe 0
        jsonLines(skipped.out).single().let { it.event() shouldBe JsonEvents.RESUME_SKIPPED; it.str("runDir") shouldBe run.dir.toString() }

        Files.delete(run.dir.resolve(RunStore.SUMMARY))
        val q = gradus("resume", "res", "--out", runs.toString(), "--quiet")
        q.err shouldBe ""
        q.code shouldBe 0
        q.out.lines().filter { it.isNotBlank() }.single() shouldContain "$run finished: 2 epochs, final test accuracy"
        gradus("resume", "res", "--out", runs.toString(), "--quiet").out.trim() shouldBe "$run already finished (2 epochs); nothing to resume"
    }

    test("the flags are refused by commands that do not take them") {
        gradus("list", "--quiet", "--out", runs.toString()).let { it.code shouldBe 2; it.err shouldContain "unknown option --quiet" }
        gradus("compare", "a", "b", "--json").let { it.code shouldBe 2; it.err shouldContain "unknown option --json" }
    }

    test("help lists --quiet and --json, per command too") {
        val general = gradus("help").out
        general shouldContain "--quiet"
        general shouldContain "--json"
        for (cmd in listOf("run", "rerun", "sweep", "resume")) {
            val h = gradus(cmd, "--help").out
            h shouldContain "--quiet"
            h shouldContain "--json"
        }
        for (cmd in listOf("list", "show")) gradus("help", cmd).out shouldContain "--json"
    }

    test("the progress bar's epoch and run ETA, computed by hand for a fake clock") {
        // 3 epochs of 4 batches; times in seconds on a fake clock
        val spec = SpecJson.decode(Files.readString(RunStore(runs).resolve("quiet").dir.resolve(RunStore.SPEC))).let {
            it.copy(train = it.train.copy(epochs = 3))
        }
        var now = 0.0
        val buf = ByteArrayOutputStream()
        val p = Progress(PrintStream(buf, true), interactive = true, plan = RunPlan.of(spec), width = 120, clock = { (now * 1e9).toLong() })
        fun step(epoch: Int, batch: Int, at: Double) {
            now = at
            p.onStep(StepEvent("train", epoch, batch, 4, (epoch - 1) * 4L + batch, 1.0, 32))
        }
        fun epochEnd(epoch: Int, at: Double) {
            now = at
            p.onEpoch(EpochMetrics("train", epoch, epoch * 4L, 1.0, 1.0, 0.5, 3.0, 40.0, "main", Double.NaN, Double.NaN, 32, mapOf()))
        }
        p.onPhaseStart("main", 0, "3 epochs")
        step(1, 1, 1.0)
        step(1, 2, 2.0)
        // half the epoch took 1 s: 1.0 s left in it; no epoch finished yet, so an epoch is taken to
        // last 2.0 s and two more follow: run 1.0 + 2 × 2.0 = 5.0 s
        buf.toString() shouldContain "epoch 1/3 [############............]  50% loss 1.0000 64 samples/s ETA 1.0s · run 5.0s"
        step(1, 3, 3.0)
        step(1, 4, 4.0)
        epochEnd(1, 5.0)
        // the first epoch took 4 s from its first step to its end (evaluation included): two left, 8.0 s
        buf.toString() shouldContain "epoch 1/3  train loss 1.0000  test loss 1.0000  test acc 50.00%  3.0s  40 samples/s  run ETA 8.0s"
        buf.reset()
        step(2, 1, 6.0)
        step(2, 2, 6.5)
        // half of epoch 2 in 0.5 s: 0.5 s left in it, then one epoch at the mean 4.0 s: 4.5 s
        buf.toString() shouldContain "epoch 2/3 [############............]  50% loss 1.0000 128 samples/s ETA 0.5s · run 4.5s"
        // a narrow terminal: the bar shrinks and no redraw is wider than the terminal
        val narrow = ByteArrayOutputStream()
        val q = Progress(PrintStream(narrow, true), interactive = true, plan = RunPlan.of(spec), width = 70, clock = { (now * 1e9).toLong() })
        q.onPhaseStart("main", 0, "3 epochs")
        now = 10.0
        q.onStep(StepEvent("train", 1, 1, 4, 1, 1.0, 32))
        now = 11.0
        q.onStep(StepEvent("train", 1, 2, 4, 2, 1.0, 32))
        val drawn = narrow.toString().split('\r').filter { it.isNotEmpty() }
        drawn.forEach { it.length shouldBeLessThanOrEqual 69 }
        drawn.last() shouldContain "ETA 1.0s · run 5.0s"
        // plain lines off a terminal: no carriage returns
        val plain = ByteArrayOutputStream()
        val r = Progress(PrintStream(plain, true), interactive = false, plan = RunPlan.of(spec), clock = { (now * 1e9).toLong() })
        r.onPhaseStart("main", 0, "3 epochs")
        r.onStep(StepEvent("train", 1, 1, 4, 1, 1.0, 32))
        plain.toString() shouldBe ""
    }

    test("the run plan: greedy stages, pipeline phases, and '≤' for metric-driven stopping") {
        val base = SpecJson.decode(Files.readString(RunStore(runs).resolve("quiet").dir.resolve(RunStore.SPEC)))
        val layered = base.copy(
            model = base.model.copy(layers = listOf(base.model.layers[0], base.model.layers[0], base.model.layers.last())),
            pretrain = GreedyLayerwiseSpec(epochsPerLayer = 2, jointAfterEachStage = true),
        )
        RunPlan.of(layered).phases.map { it.stage to it.epochs } shouldContainExactly listOf(
            "pretrain-1" to 2, "joint-1" to 2, "pretrain-2" to 2, "joint-2" to 2, "train" to base.train.epochs,
        )
        val pipeline = base.copy(
            optimizer = PipelineSpec(
                listOf(
                    PhaseSpec("warm", base.optimizer, EpochsStop(1)),
                    PhaseSpec("steps", base.optimizer, StepsStop(10)),
                    PhaseSpec("late", base.optimizer, EarlyStoppingStop("validation.loss", 2, 5)),
                ),
            ),
        )
        val plan = RunPlan.of(pipeline)
        plan.phases.map { it.phase } shouldContainExactly listOf("warm", "steps", "late")
        plan.phases[1].epochs(4) shouldBe 3 // 10 steps of 4 batches an epoch: 3 epochs
        var now = 0.0
        val buf = ByteArrayOutputStream()
        val p = Progress(PrintStream(buf, true), interactive = true, plan = plan, width = 150, clock = { (now * 1e9).toLong() })
        p.onPhaseStart("warm", 0, "1 epoch")
        now = 1.0
        p.onStep(StepEvent("train", 1, 1, 4, 1, 1.0, 32))
        now = 2.0
        p.onStep(StepEvent("train", 1, 2, 4, 2, 1.0, 32))
        // 1 + 3 + at most 5 epochs; 1.0 s left in this one, 8 more at 2.0 s: at most 17.0 s
        buf.toString() shouldContain "epoch 1/≤9"
        buf.toString() shouldContain "ETA 1.0s · run ≤17.0s"
        now = 3.0
        p.onPhaseEnd(PhaseResult("warm", 1, 4, "1 epoch", 0))
        buf.toString() shouldContain "phase 'warm' ended after 1 epochs"
    }

    test("terminal detection honours TERM=dumb and CI") {
        Terminal.interactive(hasConsole = true, env = mapOf("TERM" to "xterm-256color")) shouldBe true
        Terminal.interactive(hasConsole = true, env = mapOf("TERM" to "dumb")) shouldBe false
        Terminal.interactive(hasConsole = true, env = mapOf("CI" to "true")) shouldBe false
        Terminal.interactive(hasConsole = false, env = mapOf()) shouldBe false
        Terminal.width(mapOf("COLUMNS" to "132")) shouldBe 132
        Progress.duration(4.24) shouldBe "4.2s"
        Progress.duration(187.0) shouldBe "3m07s"
        Progress.duration(7500.0) shouldBe "2h05m"
    }

    test("JSON values: NaN becomes null, nested maps and lists are kept") {
        JsonEvents.element(Double.NaN) shouldBe kotlinx.serialization.json.JsonNull
        JsonEvents.element(mapOf("a" to listOf(1, 2))).toString() shouldBe """{"a":[1,2]}"""
        JsonEvents.element("x") shouldBe JsonPrimitive("x")
    }
})
