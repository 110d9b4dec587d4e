package dev.gradus.experiments

import dev.gradus.dsl.BestBy
import dev.gradus.dsl.SweepDeclaration
import dev.gradus.dsl.SweepStats
import dev.gradus.dsl.sweep
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import kotlin.io.path.deleteExisting
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.writeText
import kotlin.math.sqrt

/** `sweep { }` in scripts: expansion, validation, code trials end to end, claims and statistics. */
class SweepDslSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-sweep-dsl")
    val cache = work.resolve("cache")

    fun gradus(inProcess: Boolean, vararg args: String) = runGradus(args, scriptCache = cache, sweepInProcess = inProcess)

    val experiments = """
        experiment("plain") {
            seed = 3
            data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
            model { dense(16, tanh); output(classes = 3) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 1; batchSize = 32 }
        }
        experiment("wide") {
            seed = 3
            data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
            model { dense(32, tanh); output(classes = 3) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 1; batchSize = 32 }
        }
    """.trimIndent()

    test("alternatives × grid × random draws × seeds, the random draws reproducible from the sweep's seed") {
        val f = work.resolve("expand.experiment.kts")
        f.writeText(
            experiments + "\n" + """
            sweep("search") {
                seeds(1, 2)
                experiments("plain", "wide")
                grid("optimizer.lr", 0.05, 0.2)
                random(3, seed = 7) {
                    "train.batchSize" from choice(16, 32, 64)
                    "model.layers[0].units" from uniform(8.0, 24.0)
                    "model.layers[0].weightInit.args.gain" from logUniform(0.5, 2.0)
                }
                bestBy = minimize("test.loss")
                claim("wide beats plain") { s -> s.mean("test.accuracy", "wide-lr0.05-r1") > s.mean("test.accuracy", "plain-lr0.05-r1") }
            }
            """.trimIndent(),
        )
        val script = ScriptRunner(cache).evaluate(f)
        val d = script.sweeps.single()
        d.bestBy shouldBe BestBy("test.loss", false)
        val problems = mutableListOf<String>()
        val trials = Sweep.plan(d, script.experiments, problems)
        // units drawn as doubles are not integers: said once, by path, with the number of trials
        problems shouldHaveSize 2
        problems[0] shouldContain "search.plain: model.layers[0].units: expects an integer, got "
        problems[0] shouldContain "(and 11 more trials)"
        problems[1] shouldContain "search.wide: model.layers[0].units: expects an integer, got "
        val okSweep = d.random!!.copy(variables = d.random!!.variables.filterKeys { it != "model.layers[0].units" })
        val fixed = SweepDeclaration(d.name, d.seeds, d.experiments, d.grid, okSweep, d.bestBy, d.claims, d.trials)
        val p2 = mutableListOf<String>()
        val t2 = Sweep.plan(fixed, script.experiments, p2)
        p2 shouldBe emptyList()
        t2 shouldHaveSize 2 * 2 * 3 * 2
        t2.map { it.name }.toSet() shouldHaveSize t2.size
        t2.map { it.configuration }.distinct() shouldHaveSize 12
        val one = t2.first { it.name == "search.wide-lr0.2-r3-seed2" }
        one.configuration shouldBe "wide-lr0.2-r3"
        one.spec!!.seed shouldBe 2L
        one.spec!!.name shouldBe "search.wide-lr0.2-r3-seed2"
        val drawn = okSweep.values()
        drawn shouldBe okSweep.values()
        one.spec!!.train.batchSize shouldBe drawn[2]["train.batchSize"]
        val gain = drawn[2].getValue("model.layers[0].weightInit.args.gain") as Double
        (gain in 0.5..2.0) shouldBe true
        one.settings["model.layers[0].weightInit.args.gain"] shouldBe gain.toString()
        dev.gradus.dsl.SpecJson.encode(one.spec!!) shouldContain "\"gain\": $gain"
        one.settings["optimizer.lr"] shouldBe "0.2"
        okSweep.copy(seed = 8).values() shouldNotBe drawn
        // the same draw for every alternative and grid point
        t2.filter { it.configuration.endsWith("-r2") }.map { it.spec!!.train.batchSize }.distinct() shouldHaveSize 1
    }

    test("every problem of a sweep is listed at once, before anything runs") {
        val f = work.resolve("bad.experiment.kts")
        val runs = work.resolve("bad-runs")
        f.writeText(
            experiments + "\n" + """
            sweep("bad name") {
                seeds()
                experiments("plain", "nope")
                grid("optimizer.lrr", 0.1)
                grid("train.batchSize", -4)
                random(3) { "optimizer.lr" from logUniform(-1.0, 1.0) }
                claim("about a ghost") { s -> s.mean("test.accuracy", "ghost") > 0 }
            }
            sweep("codes") {
                trial("a") { seed -> mapOf("x" to seed) }
                trial("a") { seed -> mapOf("x" to seed) }
            }
            """.trimIndent(),
        )
        val r = gradus(true, "sweep", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "sweep bad name: name 'bad name' must match"
        r.err shouldContain "sweep bad name: seeds: the list is empty"
        r.err shouldContain "no experiment 'nope' in the script"
        r.err shouldContain "optimizer.lrr: no 'lrr' in optimizer"
        r.err shouldContain "train.batchSize"
        r.err shouldContain "random optimizer.lr: logUniform(-1.0, 1.0) needs 0 < lo < hi"
        r.err shouldContain "claim 'about a ghost': claim reads configuration 'ghost'"
        r.err shouldContain "sweep codes: trial 'a': declared twice"
        r.err shouldContain "sweep codes: seeds: a sweep with code trials needs seeds"
        runs.exists() shouldBe false
    }

    test("a code-trial sweep: processes, claims, a failed and a deleted trial redone, finished ones skipped") {
        val marker = work.resolve("fail-square")
        val runs = work.resolve("code-runs")
        val f = work.resolve("codes.experiment.kts")
        f.writeText(
            """
            sweep("codes") {
                seeds(1..2)
                trial("double") { seed -> mapOf("value" to seed * 2.0, "count" to 1) }
                trial("square") { seed ->
                    check(!java.io.File("${marker.toString().replace("\\", "\\\\")}").exists()) { "asked to fail" }
                    mapOf("value" to seed * seed)
                }
                bestBy = minimize("value")
                claim("squares are smaller on average") { s -> s.mean("value", "square") < s.mean("value", "double") }
                claim("a square exceeds 10") { s -> s.max("value", "square") > 10 }
                claim("a quantity nobody measured") { s -> s.mean("missing", "double") > 0 }
            }
            """.trimIndent(),
        )
        Files.createFile(marker)
        val first = gradus(false, "sweep", f.toString(), "--out", runs.toString(), "--jobs", "2")
        first.code shouldBe 1
        first.out shouldContain "4 trials (4 to run, 0 already finished)"
        first.err shouldContain "asked to fail"
        var rec = Sweeps.read(runs, "codes")
        rec.trials.map { it.name to it.status } shouldBe listOf(
            "double-seed1" to "finished", "double-seed2" to "finished", "square-seed1" to "failed", "square-seed2" to "failed",
        )
        rec.trials.first { it.name == "square-seed1" }.error!! shouldContain "asked to fail"
        rec.claims.map { it.holds } shouldBe listOf(null, null, null)
        rec.claims[0].detail shouldContain "value of square: no finished trial"

        marker.deleteExisting()
        Sweep.codeTrialFile(runs, "codes", "double-seed1").deleteExisting()
        val second = gradus(true, "sweep", f.toString(), "--out", runs.toString())
        second.err shouldBe ""
        second.code shouldBe 0
        second.out shouldContain "4 trials (3 to run, 1 already finished)"
        rec = Sweeps.read(runs, "codes")
        rec.trials.all { it.status == "finished" } shouldBe true
        rec.trials.first { it.name == "square-seed2" }.measurements shouldBe mapOf("value" to 4.0)
        val double = rec.configurations.first { it.configuration == "double" }
        double.runs shouldBe 2
        double.statistics.getValue("value").mean shouldBe 3.0
        double.statistics.getValue("value").std shouldBe (sqrt(2.0) plusOrMinus 1e-12)
        double.statistics.getValue("count").n shouldBe 2
        rec.best shouldBe "square"
        rec.bestBy shouldBe "min value"
        rec.claims.map { it.holds } shouldBe listOf(true, false, null)
        rec.claims[0].detail shouldBe "value of square: 2.500 ± 2.121 (2); value of double: 3.000 ± 1.414 (2)"
        rec.claims[2].detail shouldContain "missing of double: no finished trial"
        second.out shouldContain "HOLDS"
        second.out shouldContain "DOES NOT HOLD"
        second.out shouldContain "UNDECIDED"
        runs.resolve("sweeps/codes/summary.csv").exists() shouldBe true

        val third = gradus(true, "sweep", f.toString(), "--out", runs.toString(), "--sweep", "codes")
        third.code shouldBe 0
        third.out shouldContain "4 trials (0 to run, 4 already finished)"
        gradus(true, "sweep", f.toString(), "--out", runs.toString(), "--sweep", "other").code shouldBe 2
        gradus(true, "sweep", f.toString(), "--out", runs.toString(), "--grid", "optimizer.lr=0.1").code shouldBe 2
        // --seeds overrides the declared seeds: only the new seed's trials run
        val more = gradus(true, "sweep", f.toString(), "--out", runs.toString(), "--seeds", "1..3")
        more.code shouldBe 0
        more.out shouldContain "6 trials (2 to run, 4 already finished)"
        Sweeps.read(runs, "codes").configurations.map { it.runs } shouldBe listOf(3, 3)
    }

    test("a declared sweep over an experiment records each trial's run and every final metric") {
        val f = work.resolve("lr.experiment.kts")
        val runs = work.resolve("lr-runs")
        f.writeText(
            experiments + "\n" + """
            sweep("lr") {
                seeds(1..2)
                experiments("plain")
                grid("optimizer.lr", 0.05, 0.3)
                claim("some accuracy") { s -> s.mean("test.accuracy", "plain-lr0.3") > 0.0 }
            }
            """.trimIndent(),
        )
        val r = gradus(true, "sweep", f.toString(), "--out", runs.toString(), "--jobs", "2")
        r.err shouldBe ""
        r.code shouldBe 0
        val rec = Sweeps.read(runs, "lr")
        rec.trials shouldHaveSize 4
        val store = RunStore(runs)
        for (t in rec.trials) {
            t.run shouldBe store.resolve(t.name).toString()
            t.run!! shouldContain "lr.plain-lr"
            t.measurements.keys shouldBe setOf("test.accuracy", "test.loss", "train.loss")
        }
        rec.configurations.map { it.configuration } shouldBe listOf("plain-lr0.05", "plain-lr0.3")
        rec.claims.single().holds shouldBe true
        rec.claims.single().detail shouldContain "test.accuracy of plain-lr0.3: "
        rec.claims.single().detail shouldContain "(2)"
        r.out shouldNotContain "UNDECIDED"
    }

    test("re-running a sweep continues a trial's interrupted run from its checkpoint, to a clean run's metrics") {
        val f = work.resolve("resumed.experiment.kts")
        f.writeText(
            """
            experiment("longer") {
                seed = 3
                backend = "reference"
                data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                model { dense(16, tanh); dropout(0.1); output(classes = 3) }
                optimizer = adam(lr = 0.01)
                train { epochs = 3; batchSize = 32; checkpoints(everyEpochs = 1, keepLast = 3) }
            }
            sweep("resumed") { seeds(1); experiments("longer") }
            """.trimIndent(),
        )
        val clean = work.resolve("resumed-clean")
        gradus(true, "sweep", f.toString(), "--out", clean.toString()).code shouldBe 0
        val reference = RunStore(clean).resolve("resumed.longer-seed1")
        reference.dir.resolve(dev.gradus.dsl.Transfers.PARAMETERS_FILE).exists() shouldBe true

        val broken = work.resolve("resumed-broken")
        gradus(true, "sweep", f.toString(), "--out", broken.toString()).code shouldBe 0
        val store = RunStore(broken)
        val run = store.resolve("resumed.longer-seed1")
        // what a sweep killed during epoch 2 leaves: no summary, no parameters, epoch 1's checkpoint only
        // (metrics.jsonl keeps epochs 2 and 3: resume rewinds it to the checkpoint)
        run.dir.resolve(RunStore.SUMMARY).deleteExisting()
        run.dir.resolve(dev.gradus.dsl.Transfers.PARAMETERS_FILE).deleteExisting()
        run.checkpoints.listDirectoryEntries().sorted().drop(1).forEach { it.deleteExisting() }
        run.checkpoints.listDirectoryEntries().single().name shouldContain "epoch-000001"
        run.resumable() shouldBe true

        // only a run of the spec the trial trains now is continued: an edited script starts afresh
        val script = ScriptRunner(cache).evaluate(f)
        val trial = Sweep.plan(script.sweeps.single(), script.experiments, mutableListOf()).single()
        val runner = SweepRunner(nowhere, nowhere, broken, 1, 1, false, cache, f)
        runner.interruptedRun(trial)?.dir shouldBe run.dir
        runner.interruptedRun(trial.copy(spec = trial.spec!!.copy(train = trial.spec!!.train.copy(batchSize = 16)))) shouldBe null

        // trials as processes: the child runs `gradus resume` on the run
        val again = gradus(false, "sweep", f.toString(), "--out", broken.toString())
        again.err shouldBe ""
        again.code shouldBe 0
        again.out shouldContain "1 trial (1 to run, 0 already finished), 1 at once, 1 thread each; 1 continues an interrupted run from its checkpoint"
        again.out shouldContain "trial resumed.longer-seed1: resumed and finished"
        store.all().map { it.dir } shouldBe listOf(run.dir) // the same folder: no new run
        val resumed = store.resolve(run.dir.toString())
        resumed.status() shouldBe RunSummary.FINISHED
        resumed.metrics().map { it.deterministicPart() } shouldBe reference.metrics().map { it.deterministicPart() }
        Files.readAllBytes(resumed.dir.resolve(dev.gradus.dsl.Transfers.PARAMETERS_FILE)).contentEquals(Files.readAllBytes(reference.dir.resolve(dev.gradus.dsl.Transfers.PARAMETERS_FILE))) shouldBe true
        Sweeps.read(broken, "resumed").trials.single().measurements shouldBe Sweeps.read(clean, "resumed").trials.single().measurements
    }

    test("a sweep ended by SIGTERM ends its trial processes with it") {
        val f = work.resolve("slow.experiment.kts")
        f.writeText(
            """
            sweep("slow") {
                seeds(1)
                trial("sleeper") { seed -> Thread.sleep(120_000); mapOf("x" to seed.toDouble()) }
            }
            """.trimIndent(),
        )
        val sweepProcess = ProcessBuilder(gradusJavaCommand() + listOf("sweep", f.toString(), "--out", work.resolve("slow-runs").toString()))
            .redirectErrorStream(true).redirectOutput(work.resolve("slow.log").toFile()).start()
        var trial: ProcessHandle? = null
        try {
            val deadline = System.nanoTime() + 60_000_000_000L
            while (trial == null && System.nanoTime() < deadline && sweepProcess.isAlive) {
                trial = sweepProcess.toHandle().children().findFirst().orElse(null)
                Thread.sleep(50)
            }
            trial shouldNotBe null
            sweepProcess.destroy() // SIGTERM, as `kill` or a scheduler's stop sends it
            sweepProcess.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) shouldBe true
            trial!!.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive shouldBe false
        } finally {
            // a trial left behind is no longer the sweep's descendant once the sweep has exited
            trial?.destroyForcibly()
            sweepProcess.toHandle().descendants().forEach { it.destroyForcibly() }
            sweepProcess.destroyForcibly()
        }
    }

    test("claim verdicts and statistics on hand-made data") {
        val d = sweep("hand") {
            claim("a above b by more than the pooled std") { s -> s.mean("acc", "a") - s.mean("acc", "b") > s.pooledStd("acc", "a", "b") }
            claim("b's median below 0.5") { s -> s.median("acc", "b") < 0.5 }
            claim("c has a spread") { s -> s.std("acc", "c") > 0 }
        }
        val data = mapOf(
            "a" to listOf(mapOf("acc" to 0.9), mapOf("acc" to 0.8), mapOf("acc" to 1.0)),
            "b" to listOf(mapOf("acc" to 0.5), mapOf("acc" to 0.7), mapOf("acc" to 0.6)),
            "c" to listOf(mapOf("acc" to 0.4)),
        )
        val v = SweepRunner.judge(d, data)
        // a: mean 0.9, s 0.1; b: mean 0.6, s 0.1; pooled 0.1; 0.3 > 0.1
        v[0].holds shouldBe true
        v[0].detail shouldBe "acc of a: 0.9000 ± 0.1000 (3); acc of b: 0.6000 ± 0.1000 (3)"
        v[1].holds shouldBe false
        v[1].detail shouldBe "acc of b: 0.6000 ± 0.1000 (3)"
        v[2].holds shouldBe null
        v[2].detail shouldContain "too few finished trials (acc of c: 1 finished trial, needs 2)"
        v[2].detail shouldContain "acc of c: 0.4000 (1)"

        val stats = SweepStats(data)
        stats.pooledStd("acc", "a", "c") shouldBe (0.1 plusOrMinus 1e-12) // c adds no degrees of freedom
        stats.values("acc", "b") shouldBe listOf(0.5, 0.7, 0.6)
        stats.n("acc", "c") shouldBe 1
        stats.configurations shouldBe listOf("a", "b", "c")

        val s = SweepRunner.statistic(listOf(1.0, 2.0, 4.0))
        s.n shouldBe 3
        s.mean shouldBe (7.0 / 3 plusOrMinus 1e-12)
        s.std shouldBe (sqrt(7.0 / 3) plusOrMinus 1e-12) // ((4/3)² + (1/3)² + (5/3)²) / 2 = 7/3
        s.median shouldBe 2.0
        s.min shouldBe 1.0
        s.max shouldBe 4.0
        SweepRunner.statistic(listOf(5.0, 1.0)).median shouldBe 3.0
        SweepRunner.statistic(listOf(5.0)).std shouldBe 0.0

        // failed trials do not count; best by minimum
        val records = listOf(
            SweepTrialRecord("x-seed1", "x", 1, status = "finished", measurements = mapOf("loss" to 2.0)),
            SweepTrialRecord("x-seed2", "x", 2, status = "failed", measurements = mapOf("loss" to 0.0)),
            SweepTrialRecord("y-seed1", "y", 1, status = "finished", measurements = mapOf("loss" to 3.0)),
        )
        val rec = SweepRunner.summarize(sweep("m") { bestBy = minimize("loss") }, records, null)
        rec.configurations.first { it.configuration == "x" }.runs shouldBe 1
        rec.configurations.first { it.configuration == "x" }.statistics.getValue("loss").mean shouldBe 2.0
        rec.best shouldBe "x"
        SweepRunner.summarize(sweep("m") {}, records, null).best shouldBe null // nobody measured test.accuracy
        SweepRunner.summarize(sweep("m") { noBest() }, records, null).let { it.best shouldBe null; it.bestBy shouldBe null }

        // a derived number is stated after the values read: paired d = a − b per seed, SE = s/√n
        val noted = SweepRunner.judge(
            sweep("n") {
                claim("a beats b by more than 2 SE of the paired difference") { st ->
                    val d = st.values("acc", "a").zip(st.values("acc", "b")) { x, y -> x - y }
                    val se = st.note("SE of d", SweepStats.sampleStd(d) / sqrt(d.size.toDouble()))
                    st.note("paired d", d.average()) > 2 * se
                }
            },
            data,
        ).single()
        // d = (0.4, 0.1, 0.4): mean 0.3, s = √0.03 = 0.1732, SE = 0.1
        noted.holds shouldBe true
        noted.detail shouldBe "acc of a: 0.9000 ± 0.1000 (3); acc of b: 0.6000 ± 0.1000 (3); SE of d = 0.1000; paired d = 0.3000"
    }
})
