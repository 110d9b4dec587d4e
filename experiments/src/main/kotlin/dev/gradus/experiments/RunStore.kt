package dev.gradus.experiments

import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.SpecJson
import java.io.IOException
import java.nio.file.AtomicMoveNotSupportedException
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.StandardOpenOption
import java.security.MessageDigest
import java.time.LocalDateTime
import java.time.format.DateTimeFormatter
import kotlin.io.path.exists
import kotlin.io.path.isDirectory
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.readText

/**
 * The embedded run store: `<root>/<experiment>/<run-id>/` holding `spec.json`, `run.json`,
 * `env.json`, the script and its hash, `checkpoints/` (for `gradus resume`), `metrics.jsonl`, `diagnostics.jsonl` (when the spec asks for
 * signal-propagation diagnostics), `curvature.jsonl` (when it monitors ill-conditioning) and, last, `summary.json`. Every file is
 * written whole to a temporary file and renamed into place, so a reader never sees half a file
 * and a killed run leaves only complete files behind (and no summary: it lists as incomplete).
 */
class RunStore(val root: Path) {

    /** A run's folder and what it holds. */
    inner class Run(val dir: Path) {
        val experiment: String get() = dir.parent.name
        val id: String get() = dir.name

        fun spec(): ExperimentSpec = SpecJson.decode(dir.resolve(SPEC).readText())
        fun info(): RunInfo? = readOrNull(RUN, RunInfo.serializer())
        fun env(): EnvRecord? = readOrNull(ENV, EnvRecord.serializer())
        fun summary(): RunSummary? = readOrNull(SUMMARY, RunSummary.serializer())
        fun status(): String = summary()?.status ?: RunSummary.INCOMPLETE

        /** The folder of the run's checkpoints (`gradus resume` continues from the newest). */
        val checkpoints: Path get() = dir.resolve(CHECKPOINTS)

        /** Not finished and holding at least one checkpoint: `gradus resume` can continue it. */
        fun resumable(): Boolean = status() != RunSummary.FINISHED && checkpoints.isDirectory() &&
            Files.list(checkpoints).use { s -> s.anyMatch { it.name.endsWith(".ckpt") } }

        /** Removes `summary.json` (a resumed run is unfinished again until it writes a new one). */
        fun deleteSummary() = Files.deleteIfExists(dir.resolve(SUMMARY))

        fun metrics(): List<EpochRecord> {
            val f = dir.resolve(METRICS)
            if (!f.exists()) return emptyList()
            return Files.readAllLines(f).filter { it.isNotBlank() }.map { lineJson.decodeFromString(EpochRecord.serializer(), it) }
        }

        /** The lines of `diagnostics.jsonl`; empty when the run logged no diagnostics. */
        fun diagnostics(): List<DiagnosticsRecord> {
            val f = dir.resolve(DIAGNOSTICS)
            if (!f.exists()) return emptyList()
            return Files.readAllLines(f).filter { it.isNotBlank() }.map { lineJson.decodeFromString(DiagnosticsRecord.serializer(), it) }
        }

        /** The lines of `curvature.jsonl`; empty when the run did not monitor ill-conditioning. */
        fun curvature(): List<CurvatureRecord> {
            val f = dir.resolve(CURVATURE)
            if (!f.exists()) return emptyList()
            return Files.readAllLines(f).filter { it.isNotBlank() }.map { lineJson.decodeFromString(CurvatureRecord.serializer(), it) }
        }

        private fun <T> readOrNull(name: String, s: kotlinx.serialization.KSerializer<T>): T? {
            val f = dir.resolve(name)
            return if (f.exists()) recordJson.decodeFromString(s, f.readText()) else null
        }

        fun writeInfo(info: RunInfo) = writeAtomically(dir.resolve(RUN), recordJson.encodeToString(RunInfo.serializer(), info))
        fun writeEnv(env: EnvRecord) = writeAtomically(dir.resolve(ENV), recordJson.encodeToString(EnvRecord.serializer(), env))
        /**
         * The final parameters and buffers, for later runs' `copyFrom`; written like the other record
         * files (not with `ParameterSnapshot.write`, whose temporary file is owner-only, 0600).
         */
        fun writeParameters(p: dev.gradus.engine.nn.ParameterSnapshot) = writeAtomically(dir.resolve(dev.gradus.dsl.Transfers.PARAMETERS_FILE), p.toBytes())
        fun writeSummary(s: RunSummary) = writeAtomically(dir.resolve(SUMMARY), recordJson.encodeToString(RunSummary.serializer(), s))
        fun writeMetrics(records: List<EpochRecord>) = writeAtomically(
            dir.resolve(METRICS),
            records.joinToString("") { lineJson.encodeToString(EpochRecord.serializer(), it) + "\n" },
        )

        fun writeDiagnostics(records: List<DiagnosticsRecord>) = writeAtomically(
            dir.resolve(DIAGNOSTICS),
            records.joinToString("") { lineJson.encodeToString(DiagnosticsRecord.serializer(), it) + "\n" },
        )

        fun writeCurvature(records: List<CurvatureRecord>) = writeAtomically(
            dir.resolve(CURVATURE),
            records.joinToString("") { lineJson.encodeToString(CurvatureRecord.serializer(), it) + "\n" },
        )

        override fun toString() = "$experiment/$id"
    }

    /** Makes the folder of a new run and writes its spec (and script, when it came from one). */
    fun create(spec: ExperimentSpec, scriptName: String?, scriptText: String?): Run {
        val expDir = root.resolve(spec.name)
        Files.createDirectories(expDir)
        val stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        var n = 1
        var dir: Path
        while (true) {
            dir = expDir.resolve(if (n == 1) stamp else "$stamp-$n")
            try {
                Files.createDirectory(dir) // atomic: two concurrent runs never share a folder
                break
            } catch (e: java.nio.file.FileAlreadyExistsException) {
                n++
            }
        }
        val run = Run(dir)
        writeAtomically(dir.resolve(SPEC), SpecJson.encode(spec))
        if (scriptText != null) {
            writeAtomically(dir.resolve(scriptName ?: SCRIPT), scriptText)
            writeAtomically(dir.resolve(SCRIPT_HASH), sha256(scriptText) + "  " + (scriptName ?: SCRIPT) + "\n")
        }
        return run
    }

    /** Every run, oldest first within each experiment. */
    fun all(): List<Run> {
        if (!root.isDirectory()) return emptyList()
        return root.listDirectoryEntries().filter { it.isDirectory() }.sortedBy { it.name }.flatMap { exp ->
            exp.listDirectoryEntries().filter { it.isDirectory() && it.resolve(SPEC).exists() }
                .sortedWith(compareBy(dev.gradus.dsl.Transfers.RUN_ORDER) { it.name }).map { Run(it) }
        }
    }

    /**
     * Finds a run by folder path, `experiment/run-id`, run id, or experiment name (its latest
     * run). Ambiguity and absence are errors that list what exists.
     */
    fun resolve(ref: String): Run {
        val asPath = Path.of(ref)
        if (asPath.resolve(SPEC).exists()) return Run(asPath.toAbsolutePath().normalize())
        val runs = all()
        runs.firstOrNull { "${it.experiment}/${it.id}" == ref }?.let { return it }
        val byId = runs.filter { it.id == ref }
        if (byId.size == 1) return byId[0]
        if (byId.size > 1) throw IllegalArgumentException("run id '$ref' exists in several experiments: ${byId.joinToString()}; write experiment/run-id")
        val byExperiment = runs.filter { it.experiment == ref }
        if (byExperiment.isNotEmpty()) return byExperiment.last()
        throw IllegalArgumentException(
            "no run '$ref' in $root" + if (runs.isEmpty()) " (the store is empty)" else "; runs: ${runs.takeLast(10).joinToString()}",
        )
    }

    companion object {
        const val SPEC = "spec.json"
        const val RUN = "run.json"
        const val ENV = "env.json"
        const val METRICS = "metrics.jsonl"
        const val SUMMARY = "summary.json"
        const val DIAGNOSTICS = "diagnostics.jsonl"
        const val CURVATURE = "curvature.jsonl"
        const val CHECKPOINTS = "checkpoints"
        const val REPORT = "report.html"
        const val PLOTS = "plots"
        const val SCRIPT = "script.experiment.kts"
        const val SCRIPT_HASH = "script.sha256"

        /** Writes [text] to a temporary file beside [target], forces it to disk, then renames it over [target]. */
        fun writeAtomically(target: Path, text: String) = writeAtomically(target, text.toByteArray(Charsets.UTF_8))

        /** Writes [bytes] to a temporary file beside [target], forces it to disk, then renames it over [target]. */
        fun writeAtomically(target: Path, bytes: ByteArray) {
            val tmp = target.resolveSibling(".${target.name}.tmp")
            Files.newByteChannel(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE).use { ch ->
                val buf = java.nio.ByteBuffer.wrap(bytes)
                while (buf.hasRemaining()) ch.write(buf)
                (ch as java.nio.channels.FileChannel).force(true)
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
            } catch (e: AtomicMoveNotSupportedException) {
                throw IOException("cannot write $target atomically on this file system", e)
            }
        }

        fun sha256(text: String): String =
            MessageDigest.getInstance("SHA-256").digest(text.toByteArray(Charsets.UTF_8)).joinToString("") { "%02x".format(it) }
    }
}
