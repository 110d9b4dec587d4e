package dev.gradus.experiments

import dev.gradus.engine.nn.ParameterSnapshot
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldMatch
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.writeText

/** The command line end to end: scripts in, run records out. Uses tiny generated data. */
class CliSpec : FunSpec({
    val work = Files.createTempDirectory("gradus-cli")
    val runs = work.resolve("runs")
    // a private script cache so the first compile is a real miss
    val cache = work.resolve("cache")

    fun gradus(vararg args: String) = runGradus(args, scriptCache = cache)

    fun script(name: String, text: String): Path = work.resolve(name).also { it.writeText(text.trimIndent()) }

    val tiny = """
        experiment("tiny") {
            seed = 3
            data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
            model { dense(16, tanh); output(classes = 3) }
            optimizer = sgd(lr = 0.1)
            train { epochs = 2; batchSize = 32 }
        }
    """

    test("a script runs and leaves a complete record") {
        val f = script("tiny.experiment.kts", tiny)
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "experiment tiny"
        r.out shouldContain "test acc"
        val dir = runs.resolve("tiny").listDirectoryEntries().single()
        for (name in listOf("spec.json", "run.json", "env.json", "metrics.jsonl", "summary.json", "tiny.experiment.kts", "script.sha256")) {
            dir.resolve(name).exists() shouldBe true
        }
        val store = RunStore(runs)
        val run = store.resolve("tiny")
        run.status() shouldBe "finished"
        run.metrics() shouldHaveSize 2
        run.env()!!.threads shouldBe 1
        run.env()!!.backendDescription shouldContain "libtorch"
        Files.readString(dir.resolve("script.sha256")) shouldContain RunStore.sha256(Files.readString(f))
        run.summary()!!.coldStartSeconds shouldNotBe null
        // no temporary files are left behind by the atomic writes
        dir.listDirectoryEntries().none { it.fileName.toString().endsWith(".tmp") } shouldBe true
    }

    test("a second run of an unchanged script skips compilation") {
        val f = script("cached.experiment.kts", tiny.replace("\"tiny\"", "\"cached\""))
        gradus("run", f.toString(), "--out", runs.toString()).out shouldContain "compiled in"
        val second = gradus("run", f.toString(), "--out", runs.toString())
        second.code shouldBe 0
        second.out shouldContain "(cached)"
    }

    test("rerun reproduces the metrics bit for bit") {
        val r = gradus("rerun", "tiny", "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "metrics are bit-identical"
        val store = RunStore(runs)
        val all = store.all().filter { it.experiment == "tiny" }
        all shouldHaveSize 2
        all[0].metrics().map { it.deterministicPart() } shouldBe all[1].metrics().map { it.deterministicPart() }
        all[1].info()!!.rerunOf shouldBe all[0].toString()
    }

    test("a script may declare several experiments; --seed overrides every seed") {
        val f = script(
            "sweep.experiment.kts",
            """
            for (lr in listOf(0.05, 0.2)) {
                experiment("lr-${'$'}lr") {
                    data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                    model { dense(8, relu); output(classes = 3) }
                    optimizer = sgd(lr = lr)
                    train { epochs = 1; batchSize = 50 }
                }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString(), "--seed", "42")
        r.code shouldBe 0
        r.out shouldContain "2 experiments"
        val store = RunStore(runs)
        store.resolve("lr-0.05").spec().seed shouldBe 42L
        store.resolve("lr-0.2").status() shouldBe "finished"
    }

    test("a pipeline's record shows both phases; seeds of one configuration are summarized together") {
        val f = script(
            "pipe.experiment.kts",
            """
            for (s in 1L..2L) {
                experiment("pipe-seed${'$'}s") {
                    seed = s
                    data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                    model { dense(16, tanh); output(classes = 3) }
                    optimizer = pipeline {
                        phase("adam", epochs = 2) { adam(lr = 1e-2) }
                        phase("sgd-momentum", until = plateau("validation.loss", patience = 1, maxEpochs = 3)) { sgd(lr = 0.01, momentum = 0.9) }
                    }
                    train { batchSize = 30; validationFraction = 0.2 }
                }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "phase 2 'sgd-momentum'"
        r.out shouldContain "configuration (over seeds)"
        r.out.lines().single { it.startsWith("pipe ") } shouldContain "   2 "
        val run = RunStore(runs).resolve("pipe-seed1")
        val phases = run.summary()!!.phases
        phases.map { it.name } shouldBe listOf("adam", "sgd-momentum")
        phases[0].epochs shouldBe 2
        val metrics = run.metrics()
        metrics.take(2).map { it.phase } shouldBe listOf("adam", "adam")
        metrics.drop(2).all { it.phase == "sgd-momentum" } shouldBe true
        metrics.first().hyperparameters["lr"] shouldBe 1e-2
        metrics.last().hyperparameters["momentum"] shouldBe 0.9
        metrics.all { it.validationLoss != null } shouldBe true
    }

    test("when one experiment of a script is invalid, none of them runs") {
        val f = script(
            "half.experiment.kts",
            """
            experiment("good") {
                data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                model { output(classes = 3) }
                optimizer = sgd(lr = 0.1)
            }
            experiment("bad") {
                data = shapeset(family = Basic, train = 200, test = 100, imageSize = 8)
                model { output(classes = 2) }
                optimizer = sgd(lr = 0.1)
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "bad: model.layers[0].units"
        runs.resolve("good").exists() shouldBe false
        runs.resolve("bad").exists() shouldBe false
    }

    test("data-driven initial scales are printed and recorded") {
        val f = script(
            "scaled.experiment.kts",
            """
            experiment("scaled") {
                data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                model {
                    weightInit = normal(std = 0.01)
                    dense(16, tanh); dense(16, tanh); output(classes = 3)
                    dataDriven(targetStd = 1.0, batchSize = 100)
                }
                optimizer = sgd(lr = 0.05)
                train { epochs = 1; batchSize = 30 }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "data-driven init: layers.0: scale="
        val scales = RunStore(runs).resolve("scaled").summary()!!.initScales
        scales.map { it.layer } shouldBe listOf(0, 1, 2)
        scales.all { it.converged && kotlin.math.abs(it.stdAfter - 1.0) <= 0.05 } shouldBe true
    }

    test("a type error reports file:line:column and records nothing") {
        val f = script(
            "typo.experiment.kts",
            """
            experiment("typo") {
                seed = 3
                train { epochs = "five" }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldMatch Regex("""(?s).*typo\.experiment\.kts:3:\d+: error: .*""")
        runs.resolve("typo").exists() shouldBe false
    }

    test("an invalid spec lists every problem with its path and records nothing") {
        val f = script(
            "invalid.experiment.kts",
            """
            experiment("invalid") {
                data = shapeset(family = Basic, train = 100, test = 50)
                model { dense(0, relu); output(classes = 3) }
                optimizer = sgd(lr = -1.0)
                train { epochs = 1; batchSize = 500 }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "model.layers[0].units"
        r.err shouldContain "optimizer.lr"
        r.err shouldContain "train.batchSize"
        runs.resolve("invalid").exists() shouldBe false
    }

    test("an exception in the script names the script line") {
        val f = script(
            "throws.experiment.kts",
            """
            val widths = listOf(8, 16)
            val w = widths[5]
            experiment("throws") { }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "throws.experiment.kts:2: error:"
        runs.resolve("throws").exists() shouldBe false
    }

    test("a run that died lists as incomplete, never as finished") {
        val store = RunStore(runs)
        val spec = store.resolve("tiny").spec()
        val dead = store.create(spec.copy(name = "died"), null, null)
        dead.writeMetrics(store.resolve("tiny").metrics().take(1))
        val r = gradus("list", "--out", runs.toString())
        r.code shouldBe 0
        r.out.lines().single { it.startsWith("died") } shouldContain "incomplete"
        r.out.lines().first { it.startsWith("tiny") } shouldContain "finished"
        gradus("show", "died", "--out", runs.toString()).out shouldContain "(incomplete)"
    }

    test("usage errors exit 2 with a pointer to help") {
        val r = gradus("frobnicate")
        r.code shouldBe 2
        r.err shouldContain "unknown command 'frobnicate'"
        gradus("run").code shouldBe 2
        gradus("show", "nope", "--out", runs.toString()).err shouldContain "no run 'nope'"
    }

    test("greedy pre-training records its stages, and every finished run keeps parameters.bin") {
        val f = script(
            "greedy.experiment.kts",
            """
            experiment("greedy") {
                seed = 3
                data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                model { dense(16, tanh); dense(12, tanh); output(classes = 3) }
                pretrain { greedyLayerwise(epochsPerLayer = 1, optimizer = sgd(lr = 0.1)) }
                optimizer = sgd(lr = 0.05)
                train { epochs = 2; batchSize = 32 }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        r.out shouldContain "[pretrain-1] epoch 1/"
        r.out shouldContain "[pretrain-2] epoch 1/"
        r.out shouldContain "\nepoch 2/2"
        val run = RunStore(runs).resolve("greedy")
        run.spec().pretrain shouldBe dev.gradus.dsl.GreedyLayerwiseSpec(epochsPerLayer = 1, optimizer = dev.gradus.dsl.sgd(lr = 0.1))
        val stages = run.summary()!!.stages
        stages.map { it.name } shouldBe listOf("pretrain-1", "pretrain-2", "train")
        stages.map { it.epochs } shouldBe listOf(1, 1, 2)
        stages[0].trained shouldBe listOf("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")
        stages[1].frozen shouldBe listOf("layers.0.weight", "layers.0.bias")
        stages[2].frozen shouldBe emptyList()
        stages.all { it.finalTestLoss!!.isFinite() && it.seconds >= 0 } shouldBe true
        run.metrics().map { it.stage } shouldBe listOf("pretrain-1", "pretrain-2", "train", "train")
        val params = ParameterSnapshot.read(run.dir.resolve("parameters.bin")).entries()
        params.keys.toList() shouldBe listOf("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias")
        params.getValue("layers.1.weight").shape().toList() shouldBe listOf(12L, 16L)
        // written like the other record files: same permissions, no temporary file left behind
        Files.getPosixFilePermissions(run.dir.resolve("parameters.bin")) shouldBe Files.getPosixFilePermissions(run.dir.resolve("summary.json"))
        run.dir.listDirectoryEntries().none { it.fileName.toString().endsWith(".tmp") } shouldBe true
        // an ordinary run keeps its parameters too
        RunStore(runs).resolve("tiny").dir.resolve("parameters.bin").exists() shouldBe true
    }

    test("copyFrom a folder of runs takes the newest run's parameters and records the frozen layers") {
        // a newer run of "greedy", with other parameters (another seed)
        gradus("run", work.resolve("greedy.experiment.kts").toString(), "--out", runs.toString(), "--seed", "9").code shouldBe 0
        val greedyRuns = RunStore(runs).all().filter { it.experiment == "greedy" }
        greedyRuns shouldHaveSize 2
        val newest = ParameterSnapshot.read(greedyRuns.last().dir.resolve("parameters.bin")).entries()
        val oldest = ParameterSnapshot.read(greedyRuns.first().dir.resolve("parameters.bin")).entries()
        newest.getValue("layers.0.weight").values().toList() shouldNotBe oldest.getValue("layers.0.weight").values().toList()
        val f = script(
            "deeper.experiment.kts",
            """
            experiment("deeper") {
                seed = 4
                data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                model {
                    dense(16, tanh); dense(12, tanh); dense(12, tanh); output(classes = 3)
                    copyFrom(run = "${runs.resolve("greedy")}", layers = 0..1, freeze = true)
                }
                optimizer = sgd(lr = 0.05)
                train { epochs = 1; batchSize = 32 }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        val run = RunStore(runs).resolve("deeper")
        run.spec().model.transfers.single().count shouldBe 2
        val stage = run.summary()!!.stages.single()
        stage.name shouldBe "train"
        stage.frozen shouldBe listOf("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")
        stage.trained shouldBe listOf("layers.2.weight", "layers.2.bias", "layers.3.weight", "layers.3.bias")
        val params = ParameterSnapshot.read(run.dir.resolve("parameters.bin")).entries()
        for (k in listOf("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias")) {
            params.getValue(k).values().toList() shouldBe newest.getValue(k).values().toList()
        }
    }

    test("a copyFrom of a run that does not exist fails the run with the transfer's path") {
        val f = script(
            "orphan.experiment.kts",
            """
            experiment("orphan") {
                data = shapeset(family = Basic, train = 300, test = 100, imageSize = 8)
                model { dense(16, tanh); output(classes = 3); copyFrom(run = "${work.resolve("no-such-runs")}", layers = 0..0) }
                optimizer = sgd(lr = 0.05)
                train { epochs = 1; batchSize = 32 }
            }
            """,
        )
        val r = gradus("run", f.toString(), "--out", runs.toString())
        r.code shouldBe 1
        r.err shouldContain "model.transfers[0].run"
        val run = RunStore(runs).resolve("orphan")
        run.status() shouldBe RunSummary.FAILED
        run.dir.resolve("parameters.bin").exists() shouldBe false
    }

    afterSpec { work.toFile().deleteRecursively() }
    test("--device picks the device; a backend without it says which device and which backend") {
        val f = script("device.experiment.kts", tiny.replace("seed = 3", "seed = 3; backend = \"reference\""))
        val r = gradus("run", f.toString(), "--out", work.resolve("device-runs").toString(), "--device", "cuda")
        r.code shouldNotBe 0
        (r.out + r.err) shouldContain "the reference backend runs on cpu only, not cuda:0"
        val ok = gradus("run", f.toString(), "--out", work.resolve("device-runs").toString(), "--device", "cpu")
        ok.code shouldBe 0
        RunStore(work.resolve("device-runs")).resolve("tiny").spec().device shouldBe "cpu"
    }

    test("compare lists the spec paths that differ and one metrics row per run") {
        val store = work.resolve("compare-runs")
        val f = script("cmp.experiment.kts", tiny)
        gradus("run", f.toString(), "--out", store.toString(), "--seed", "5").code shouldBe 0
        gradus("run", f.toString(), "--out", store.toString(), "--seed", "6").code shouldBe 0
        val (a, b) = RunStore(store).all().map { it.toString() }
        val r = gradus("compare", a, b, "--out", store.toString())
        r.err shouldBe ""
        r.code shouldBe 0
        val lines = r.out.lines()
        val diff = lines.dropWhile { !it.startsWith("spec differences") }.drop(2).takeWhile { it.isNotBlank() }
        diff shouldHaveSize 1
        diff.single() shouldMatch Regex("seed\\s+5\\s+6")
        r.out shouldContain "spec differences (1 path):"
        val metrics = lines.dropWhile { it != "metrics:" }.drop(2).takeWhile { it.isNotBlank() }
        metrics shouldHaveSize 2
        metrics[0] shouldMatch Regex("${Regex.escape(a)}\\s+finished\\s+2\\s+\\d+\\s+\\d+\\.\\d{4}.*%.*%\\s+\\d+\\.\\ds")
        metrics[1] shouldContain b

        // a script whose lr differs: optimizer.lr, with both values; missing paths show as '-'
        val g = script("cmp-lr.experiment.kts", tiny.replace("lr = 0.1", "lr = 0.3"))
        gradus("run", g.toString(), "--out", store.toString(), "--seed", "5").code shouldBe 0
        val c = RunStore(store).all().last().toString()
        val lr = gradus("compare", a, c, b, "--out", store.toString())
        lr.code shouldBe 0
        val lrDiff = lr.out.lines().dropWhile { !it.startsWith("spec differences") }.drop(2).takeWhile { it.isNotBlank() }
        lrDiff.map { it.substringBefore(' ') } shouldBe listOf("seed", "optimizer.lr")
        lrDiff[1] shouldMatch Regex("optimizer\\.lr\\s+0\\.1\\s+0\\.3\\s+0\\.1")
        lr.out.lines().dropWhile { it != "metrics:" }.drop(2).takeWhile { it.isNotBlank() } shouldHaveSize 3
        Compare.differences(listOf(mapOf("x" to "1"), mapOf("x" to "1", "y" to "2"))) shouldBe listOf("y" to listOf(null, "2"))
        Compare.flatten(kotlinx.serialization.json.Json.parseToJsonElement("""{"m":{"layers":[{"units":8},{"units":3}]},"a":[],"n":null}""")) shouldBe
            mapOf("m.layers[0].units" to "8", "m.layers[1].units" to "3", "a" to "[]", "n" to "null")
        // the same run twice: identical specs
        gradus("compare", a, a, "--out", store.toString()).out shouldContain "specs: identical"
    }

    test("compare needs two runs that exist") {
        val store = work.resolve("compare-runs").toString()
        val one = gradus("compare", "tiny", "--out", store)
        one.code shouldBe 2
        one.err shouldContain "compare needs at least two runs, got 1 (tiny)"
        gradus("compare", "--out", store).err shouldContain "got 0"
        val missing = gradus("compare", "tiny", "nope", "--out", store)
        missing.code shouldBe 1
        missing.err shouldContain "no run 'nope'"
        missing.out shouldBe ""
    }

    test("help <command> and <command> --help print that command's options; an unknown one the general help") {
        for (c in listOf("run", "rerun", "list", "show", "report", "compare", "bench", "version")) {
            val h = gradus("help", c)
            h.code shouldBe 0
            h.out shouldContain "usage: gradus $c"
            h.err shouldBe ""
            gradus(c, "--help") shouldBe h
        }
        gradus("help", "run").out shouldContain "--only NAME"
        gradus("compare", "a", "-h").out shouldContain "usage: gradus compare <run> <run> [<run>...] [--out DIR]"
        gradus("help").out shouldContain "compare <run> <run>"
        val unknown = gradus("help", "frobnicate")
        unknown.code shouldBe 2
        unknown.out shouldBe ""
        unknown.err shouldContain "unknown command 'frobnicate'"
        unknown.err shouldContain "usage: gradus <command> [options]"
        gradus("frobnicate", "--help").code shouldBe 2
    }
})
