package dev.gradus.experiments

import dev.gradus.engine.nn.Model
import dev.gradus.engine.optim.Optimizers
import dev.gradus.engine.random.RandomStream
import dev.gradus.engine.tensor.Backend
import dev.gradus.engine.tensor.Backends
import dev.gradus.engine.tensor.Device
import dev.gradus.engine.train.TrainingStep
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * `gradus bench mlp`: training throughput of the reference MLP (784-256-256-10, ReLU, softmax
 * cross-entropy, SGD lr 0.01) on synthetic data, the same workload as the PyTorch peer's
 * `torch_mlp.py`, which runs right after in the same command when installed. Gradus and
 * PyTorch run one after the other, never at once (2 cores), alternating for [rounds] rounds;
 * the report gives each side's median and the ratio. `--backend NAME[,NAME...]` picks the Gradus
 * backends (default pytorch; nd4j, reference), measured one after the other in each round, with a
 * ratio for each against PyTorch and between the first two.
 */
class Bench(private val out: PrintStream, private val err: PrintStream) {
    fun run(o: Options): Int {
        val what = o.positional.singleOrNull() ?: throw UsageException("bench needs a workload: mlp")
        if (what != "mlp") throw UsageException("unknown benchmark '$what' (known: mlp)")
        val threads = o.int("--threads", 1)
        val backends = (o.string("--backend") ?: Backends.DEFAULT).split(',').map { it.trim() }.filter { it.isNotEmpty() }.distinct()
        if (backends.isEmpty()) throw UsageException("--backend needs at least one backend name")
        val batch = o.int("--batch", 128)
        val warmup = o.double("--warmup", 2.0)
        val measure = o.double("--measure", 8.0)
        val rounds = o.int("--rounds", 1)
        val checks = !o.has("--no-checks")
        val peer = if (o.has("--no-peer")) null else findPeer(o.string("--peer"))
        val coreType = peerCoreType(o.string("--peer-coretype") ?: "auto")
        if (peer != null) out.println("# peer OpenBLAS kernel: ${coreType ?: "OpenBLAS's own detection"}")
        if (!o.has("--no-peer") && peer == null) {
            out.println("# PyTorch peer not found (looked in --peer, GRADUS_PEERS, ../shared/peers); run ../shared/peers/setup.sh to compare")
        }
        val gradus = backends.associateWith { mutableListOf<Double>() }
        val torch = mutableListOf<Double>()
        var torchName = "pytorch"
        val opened = mutableListOf<Backend>()
        try {
            for (name in backends) opened += Backends.create(name, Device.CPU, threads)
            for (r in 1..rounds) {
                for (be in opened) {
                    val g = gradusMlp(be, threads, batch, warmup, measure, checks)
                    gradus.getValue(be.name()) += g
                    out.println("RESULT gradus-${be.name()}_mlp_sgd_b${batch}_threads$threads %.0f samples/s (round $r, ${be.description()}, checks ${if (checks) "on" else "off"})".format(g))
                }
                if (peer != null) {
                    val t = torchMlp(peer, threads, batch, warmup, measure, coreType) ?: return 1
                    torchName = t.first
                    torch += t.second
                    out.println("RESULT ${t.first}_mlp_sgd_b${batch}_threads$threads %.0f samples/s (round $r)".format(t.second))
                }
            }
        } finally {
            opened.forEach { it.close() }
        }
        for ((name, g) in gradus) {
            if (torch.isNotEmpty()) {
                val ratio = median(g) / median(torch)
                val label = if (backends.size == 1) "gradus" else "gradus-$name"
                out.println("RATIO $label/$torchName %.2f (median of $rounds round(s): gradus %.0f, torch %.0f samples/s)".format(ratio, median(g), median(torch)))
            }
        }
        if (backends.size > 1) {
            val (a, b) = backends[0] to backends[1]
            out.println("RATIO gradus-$a/gradus-$b %.2f (median of $rounds round(s))".format(median(gradus.getValue(a)) / median(gradus.getValue(b))))
        }
        return 0
    }

    private fun median(v: List<Double>) = v.sorted().let { if (it.size % 2 == 1) it[it.size / 2] else (it[it.size / 2 - 1] + it[it.size / 2]) / 2 }

    /** Samples per second of Gradus' training step, measured after [warmup] seconds. */
    private fun gradusMlp(be: Backend, threads: Int, batch: Int, warmup: Double, measure: Double, checks: Boolean): Double {
        val n = 60_000
        val rng = RandomStream("bench", 42)
        val x = FloatArray(n * 784) { rng.nextDouble().toFloat() }
        val y = IntArray(n) { rng.nextInt(10) }
        val model = Model.builder(784).dense(256).relu().dense(256).relu().dense(10).build()
        val optimizer = Optimizers.sgd(0.01)
        val step = TrainingStep(be, model, optimizer, "bench", checks)
        val features = be.detach(be.fromFloats(x, n.toLong(), 784))
        val labels = be.detach(be.fromInts(y))
        model.initialize(be, dev.gradus.engine.tensor.DType.FLOAT32, RandomStream("init", 42)).use { params ->
            var state = optimizer.init(params)
            val batches = n / batch
            // contiguous minibatches, as the peer slices X[j:j+batch]
            val index = Array(batches) { b -> be.detach(be.fromInts(IntArray(batch) { b * batch + it })) }
            var i = 0L
            fun oneStep() {
                be.openScope().use {
                    val idx = index[(i % batches).toInt()]
                    state = step.run(params, state, be.takeRows(features, idx), be.takeRows(labels, idx), 1, ++i).state()
                }
            }
            val w0 = System.nanoTime()
            while ((System.nanoTime() - w0) / 1e9 < warmup) oneStep()
            val t0 = System.nanoTime()
            var steps = 0
            var elapsed: Double
            do {
                oneStep()
                steps++
                elapsed = (System.nanoTime() - t0) / 1e9
            } while (elapsed < measure)
            index.forEach { it.close() }
            features.close()
            labels.close()
            return steps.toLong() * batch / elapsed
        }
    }

    private fun findPeer(explicit: String?): Path? {
        val candidates = listOfNotNull(
            explicit?.let { Path.of(it) },
            System.getenv("GRADUS_PEERS")?.let { Path.of(it) },
            Gradus.home().resolve("../shared/peers"),
        )
        return candidates.map { it.toAbsolutePath().normalize() }.firstOrNull { Files.isRegularFile(it.resolve("torch.sh")) && Files.isRegularFile(it.resolve("torch_mlp.py")) }
    }

    /** Runs the peer; returns its result name and samples/s, or null (with the reason printed). */
    /**
     * The OpenBLAS kernel for the peer. On virtual CPUs that hide their model, OpenBLAS's
     * detection falls back to its SSE3 "Prescott" kernel (measured here: 32 GFLOP/s on a
     * 1024³ product, against 149 with the AVX-512 kernel), which would make PyTorch look 3×
     * slower than it is. "auto" picks the kernel from the CPU's flags unless
     * OPENBLAS_CORETYPE is already set; "none" leaves detection to OpenBLAS.
     */
    private fun peerCoreType(option: String): String? = when (option) {
        "none" -> null
        "auto" -> System.getenv("OPENBLAS_CORETYPE") ?: run {
            val flags = try {
                Files.readAllLines(Path.of("/proc/cpuinfo")).firstOrNull { it.startsWith("flags") }?.split(" ")?.toSet() ?: emptySet()
            } catch (e: java.io.IOException) {
                emptySet()
            }
            when {
                flags.containsAll(listOf("avx512f", "avx512bw", "avx512vl")) -> "SkylakeX"
                "avx2" in flags && "fma" in flags -> "Haswell"
                else -> null
            }
        }
        else -> option
    }

    private fun torchMlp(peer: Path, threads: Int, batch: Int, warmup: Double, measure: Double, coreType: String?): Pair<String, Double>? {
        val cmd = listOf(
            "bash", peer.resolve("torch.sh").toString(), peer.resolve("torch_mlp.py").toString(),
            "--threads", "$threads", "--batch", "$batch", "--warmup", "$warmup", "--measure", "$measure",
        )
        val pb = ProcessBuilder(cmd).redirectErrorStream(true)
        if (coreType != null) pb.environment()["OPENBLAS_CORETYPE"] = coreType
        val p = pb.start()
        p.outputStream.close()
        val text = p.inputStream.bufferedReader().readText()
        p.waitFor(10, TimeUnit.MINUTES)
        val line = text.lines().firstOrNull { it.startsWith("RESULT ") }
        val m = line?.let { Regex("""RESULT (\S+)_mlp_sgd\S* ([0-9.]+) samples/s""").find(it) }
        if (p.exitValue() != 0 || m == null) {
            err.println("PyTorch peer failed (exit ${p.exitValue()}); is it installed? ../shared/peers/setup.sh\n${text.takeLast(2000)}")
            return null
        }
        return m.groupValues[1] to m.groupValues[2].toDouble()
    }
}
