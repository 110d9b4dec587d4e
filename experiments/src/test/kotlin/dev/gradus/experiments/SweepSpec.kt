package dev.gradus.experiments

import dev.gradus.dsl.ExperimentSpec
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.readText
import kotlin.io.path.writeText

/** `gradus sweep` on a script without a sweep block: grid expansion, naming, bad paths, a tiny real sweep and its resumption. */
class SweepSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-sweep")
    val runs = work.resolve("runs")
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    val script: Path = work.resolve("quick.experiment.kts").also {
        it.writeText(
            """
            experiment("quick") {
                seed = 3
                data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                model { dense(16, tanh); output(classes = 3) }
                optimizer = sgd(lr = 0.1)
                train { epochs = 1; batchSize = 32 }
            }
            """.trimIndent(),
        )
    }

    fun spec(): ExperimentSpec = ScriptRunner(cache).evaluate(script).experiments.single()

    test("grid expansion and trial names") {
        val problems = mutableListOf<String>()
        val trials = Sweep.expand(
            spec(), listOf(GridAxis.parse("optimizer.lr=0.3,0.05"), GridAxis.parse("train.batchSize=16,64")), listOf(1L, 2L), problems,
        )
        problems shouldBe emptyList()
        trials shouldHaveSize 8
        trials.map { it.name }.toSet() shouldHaveSize 8
        val t = trials.first { it.name == "quick-lr0.3-batchSize64-seed2" }
        t.spec!!.seed shouldBe 2L
        t.spec!!.train.batchSize shouldBe 64
        t.configuration shouldBe "quick-lr0.3-batchSize64"
        t.settings shouldBe mapOf("optimizer.lr" to "0.3", "train.batchSize" to "64")
        Sweep.trialName("quick", listOf("lr" to "1e-3"), null) shouldBe "quick-lr1e-3"
        Sweep.trialName("quick", listOf("kind" to "a b/c"), 1) shouldBe "quick-kinda_b_c-seed1"
        Sweep.parseSeeds("1..3") shouldBe listOf(1L, 2L, 3L)
    }

    test("a bad grid path or value is an error before anything runs") {
        val r = gradus("sweep", script.toString(), "--out", runs.toString(), "--grid", "optimizer.lrr=0.1", "--grid", "train.batchSize=-4")
        r.code shouldBe 1
        r.err shouldContain "no 'lrr' in optimizer"
        r.err shouldContain "batchSize"
        runs.exists() shouldBe false
    }

    test("a tiny sweep runs every trial as a process, then a re-run skips them") {
        val r = gradus("sweep", script.toString(), "--out", runs.toString(), "--jobs", "2", "--seeds", "1..2", "--grid", "optimizer.lr=0.3,0.05")
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "4 trials (4 to run, 0 already finished)"
        val store = RunStore(runs)
        val all = store.all()
        all shouldHaveSize 4
        all.all { it.status() == RunSummary.FINISHED } shouldBe true
        all.map { it.experiment }.toSet() shouldBe setOf("quick-lr0.3-seed1", "quick-lr0.3-seed2", "quick-lr0.05-seed1", "quick-lr0.05-seed2")
        store.resolve("quick-lr0.3-seed2").spec().seed shouldBe 2L
        // recorded as the sweep named after the script
        val record = Sweeps.read(runs, "quick")
        record.script shouldBe script.toString()
        record.trials shouldHaveSize 4
        record.trials.all { it.status == RunSummary.FINISHED && it.run != null && "test.accuracy" in it.measurements } shouldBe true
        record.trials.first { it.name == "quick-lr0.05-seed1" }.run shouldBe store.resolve("quick-lr0.05-seed1").toString()
        record.configurations.map { it.configuration }.toSet() shouldBe setOf("quick-lr0.3", "quick-lr0.05")
        record.configurations.map { it.runs } shouldBe listOf(2, 2)
        record.configurations.all { it.statistics.keys.containsAll(listOf("test.accuracy", "test.loss", "train.loss")) } shouldBe true
        (record.best in setOf("quick-lr0.3", "quick-lr0.05")) shouldBe true
        record.bestBy shouldBe "max test.accuracy"
        runs.resolve("sweeps/quick/summary.csv").readText().lines().first() shouldContain "test.accuracy_mean"
        r.out shouldContain "best by max test.accuracy"

        val again = gradus("sweep", script.toString(), "--out", runs.toString(), "--jobs", "2", "--seeds", "1..2", "--grid", "optimizer.lr=0.3,0.05")
        again.code shouldBe 0
        again.out shouldContain "4 trials (0 to run, 4 already finished)"
        RunStore(runs).all() shouldHaveSize 4
    }
})
