package dev.gradus.experiments

import dev.gradus.dsl.SpecJson
import dev.gradus.dsl.adam
import dev.gradus.dsl.experiment
import dev.gradus.dsl.pipeline
import dev.gradus.dsl.sgd
import dev.gradus.dsl.shapeset
import dev.gradus.engine.checkpoint.CheckpointStore
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.ints.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.writeText

/**
 * The test: a `gradus run-spec` process killed with SIGKILL in the middle of an epoch,
 * then `gradus resume`, ends with metrics and parameters bit-identical to an uninterrupted run.
 */
class ResumeSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-resume")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = null)

    // two phases (Adam, then momentum SGD carrying nothing), dropout, a validation split and diagnostics:
    // parameters, optimizer state, the dropout and data-order streams and the monitors' records all matter
    val spec = experiment("resumable") {
        seed = 5
        backend = "reference"
        dtype = "float32"
        data = shapeset(train = 2500, test = 200, imageSize = 12)
        model { dense(48, dev.gradus.dsl.tanh); dropout(0.1); dense(24, dev.gradus.dsl.tanh); output(classes = 3) }
        optimizer = pipeline {
            phase("adam", epochs = 2) { adam(lr = 0.003) }
            phase("momentum", epochs = 3) { sgd(lr = 0.05, momentum = 0.9) }
        }
        train {
            batchSize = 8
            validationFraction = 0.2
            diagnostics(everyEpochs = 1, batchSize = 32, jacobianExamples = 4)
        }
    }
    val specFile = work.resolve("spec.json").also { it.writeText(SpecJson.encode(spec)) }

    fun onlyRun(store: Path): Path = store.resolve("resumable").listDirectoryEntries().single()

    test("a run killed with SIGKILL mid-epoch resumes to bit-identical metrics and parameters") {
        val full = work.resolve("full")
        val f = gradus("run-spec", specFile.toString(), "--out", full.toString())
        f.code shouldBe 0
        val fullDir = onlyRun(full)

        val killed = work.resolve("killed")
        val log = work.resolve("child.log")
        val pb = ProcessBuilder(gradusJavaCommand() + listOf("run-spec", specFile.toString(), "--out", killed.toString()))
            .redirectErrorStream(true).redirectOutput(log.toFile())
        pb.environment()["OMP_NUM_THREADS"] = "1"
        pb.environment()["OMP_WAIT_POLICY"] = "PASSIVE"
        val child = pb.start()
        val deadline = System.nanoTime() + 60_000_000_000L
        var checkpoints: List<Path> = emptyList()
        while (System.nanoTime() < deadline && child.isAlive) {
            val dir = killed.resolve("resumable").takeIf { it.exists() }?.listDirectoryEntries()?.singleOrNull()?.resolve("checkpoints")
            checkpoints = dir?.takeIf { it.exists() }?.listDirectoryEntries()?.filter { it.name.endsWith(".ckpt") }.orEmpty()
            if (checkpoints.isNotEmpty()) break
            Thread.sleep(5)
        }
        checkpoints.size shouldBeGreaterThan 0
        // a few steps into epoch 2
        Thread.sleep(50)
        child.destroyForcibly() // SIGKILL on Linux: no shutdown hooks, no chance to tidy up
        child.waitFor()
        child.exitValue() shouldNotBe 0
        val runDir = onlyRun(killed)
        runDir.resolve("summary.json").exists() shouldBe false
        val store = RunStore(killed)
        val interrupted = store.resolve(runDir.toString())
        interrupted.status() shouldBe RunSummary.INCOMPLETE
        interrupted.metrics().size shouldBeLessThan 5
        interrupted.resumable() shouldBe true
        gradus("list", "--out", killed.toString()).out shouldContain "resumable"

        val r = gradus("resume", runDir.toString(), "--out", killed.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "resuming resumable/"
        val resumed = store.resolve(runDir.toString())
        resumed.status() shouldBe RunSummary.FINISHED
        val original = RunStore(full).resolve(fullDir.toString())
        resumed.metrics().map { it.deterministicPart() } shouldBe original.metrics().map { it.deterministicPart() }
        resumed.metrics().size shouldBe 5
        resumed.summary()!!.phases shouldBe original.summary()!!.phases
        resumed.diagnostics() shouldBe original.diagnostics()
        Files.readAllBytes(runDir.resolve("parameters.bin")).contentEquals(Files.readAllBytes(fullDir.resolve("parameters.bin"))) shouldBe true
        // retention: the last two and the best, no temporary files
        val kept = resumed.checkpoints.listDirectoryEntries()
        kept.none { it.name.endsWith(".tmp") } shouldBe true
        (kept.size in 2..3) shouldBe true
        CheckpointStore.read(kept.maxOf { it }).epoch() shouldBe 5

        val again = gradus("resume", runDir.toString(), "--out", killed.toString())
        again.code shouldBe 0
        again.out shouldContain "already finished"
    }

    test("a run without checkpoints trains again in place; bad checkpoint settings are refused with their path") {
        val store = work.resolve("none")
        val noCheckpoints = spec.copy(train = spec.train.copy(epochs = 2, checkpoints = spec.train.checkpoints.copy(enabled = false)),
            optimizer = adam(lr = 0.003), data = shapeset(train = 200, test = 50, imageSize = 8))
        val file = work.resolve("none.json").also { it.writeText(SpecJson.encode(noCheckpoints)) }
        gradus("run-spec", file.toString(), "--out", store.toString()).code shouldBe 0
        val dir = onlyRun(store)
        dir.resolve("checkpoints").exists() shouldBe false
        Files.delete(dir.resolve("summary.json"))
        val r = gradus("resume", dir.toString(), "--out", store.toString())
        r.code shouldBe 0
        r.out shouldContain "training it again from the start"
        RunStore(store).resolve(dir.toString()).metrics().size shouldBe 2

        val bad = spec.copy(train = spec.train.copy(checkpoints = dev.gradus.dsl.CheckpointSpec(everyEpochs = 0, keepLast = 0, metric = "test.loss")))
        val problems = dev.gradus.dsl.SpecCompiler.validate(bad).map { it.path }
        problems shouldBe listOf("train.checkpoints.everyEpochs", "train.checkpoints.keepLast", "train.checkpoints.metric")
        // the default stays out of the JSON, so specs recorded before checkpoints existed encode the same
        SpecJson.encode(spec).contains("checkpoints") shouldBe false
        val custom = experiment("custom") {
            data = shapeset(train = 200, test = 50, imageSize = 8)
            model { output(classes = 3) }
            optimizer = adam(lr = 0.01)
            train { checkpoints(everyEpochs = 2, keepLast = 3, keepBest = false) }
        }
        custom.train.checkpoints shouldBe dev.gradus.dsl.CheckpointSpec(true, 2, 3, false, null)
        SpecJson.decode(SpecJson.encode(custom)) shouldBe custom
        experiment("off") {
            data = shapeset(train = 200, test = 50, imageSize = 8)
            model { output(classes = 3) }
            optimizer = adam(lr = 0.01)
            train { noCheckpoints() }
        }.train.checkpoints.enabled shouldBe false
    }
})
