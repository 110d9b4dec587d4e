package dev.gradus.experiments

import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.script.GradusScript
import dev.gradus.dsl.script.importedPaths
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.api.fileExtension
import kotlin.script.experimental.api.valueOrNull
import kotlin.script.experimental.host.ScriptingHostConfiguration
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvm.compilationCache
import kotlin.script.experimental.jvm.jvm
import kotlin.script.experimental.jvmhost.BasicJvmScriptingHost
import kotlin.script.experimental.jvmhost.CompiledScriptJarsCache
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate

/** A script that did not compile or threw: every message formatted as `file:line:column: severity: text`. */
class ScriptFailure(val messages: List<String>) : Exception(messages.joinToString("\n"))

/** What evaluating a script gave: its experiments, and what compiling it cost. */
data class EvaluatedScript(
    val file: Path,
    val text: String,
    val experiments: List<ExperimentSpec>,
    val compileSeconds: Double,
    val cacheHit: Boolean,
    /** The `sweep { }` blocks the script declared, in order. */
    val sweeps: List<dev.gradus.dsl.SweepDeclaration> = emptyList(),
)

/**
 * Compiles and evaluates `*.experiment.kts` files with the embedded Kotlin scripting host.
 * Compiled scripts are cached as jars keyed on the Gradus version, the class path, the
 * script's text and the path and text of every file it imports with `@file:Import(...)`
 * (transitively; found by a regular expression over the texts, see `importedPaths`), so a
 * second run of an unchanged script skips the compiler (≈5 s → ≈1 s) and editing a shared
 * script recompiles every script that imports it.
 */
class ScriptRunner(private val cacheDir: Path?) {

    fun evaluate(file: Path): EvaluatedScript {
        if (!Files.isRegularFile(file)) throw ScriptFailure(listOf("$file: error: no such script file"))
        val text = Files.readString(file)
        val classpath = System.getProperty("java.class.path")
        val imports = importedPaths(file.toFile()).joinToString("") { f ->
            "\n--- import " + f.path + "\n" + runCatching { f.readText() }.getOrDefault("")
        }
        val key = RunStore.sha256(Gradus.version + "\n" + classpath + "\n" + file.fileName + "\n" + text + imports)
        val jar = cacheDir?.resolve("$key.jar")?.toFile()
        val cacheHit = jar?.isFile == true
        val hostConfig = ScriptingHostConfiguration {
            if (jar != null) {
                jvm {
                    compilationCache(CompiledScriptJarsCache { _: SourceCode, _ -> jar.also { it.parentFile.mkdirs() } })
                }
            }
        }
        val host = BasicJvmScriptingHost(baseHostConfiguration = hostConfig)
        // fileExtension "kts": the compiler picks each imported file's definition by its extension,
        // and shared scripts (`my-curricula.kts`) must get this one (the DSL imports), not plain Kotlin's
        val compilation = createJvmCompilationConfigurationFromTemplate<GradusScript> { fileExtension("kts") }
        val t0 = System.nanoTime()
        val result = host.eval(file.toFile().toScriptSource(), compilation, null)
        val seconds = (System.nanoTime() - t0) / 1e9
        val value = result.valueOrNull()?.returnValue
        if (result is ResultWithDiagnostics.Failure || value == null) {
            val messages = diagnostics(file, result.reports).ifEmpty { listOf("$file: error: the script failed to compile") }
            // Kotlin 2.3's K2 scripting crashes on calls to an imported script's top-level functions
            // that take parameters (and on top-level function-typed values); members of an object work
            val hint = if (messages.any { "FirResolvedTypeRef" in it || "FileAnalysisException" in it } && importedPaths(file.toFile()).isNotEmpty()) {
                listOf("$file: note: the Kotlin compiler fails on top-level functions with parameters in imported scripts; " +
                    "declare them in an object of the shared script instead (object Presets { fun ramp(epochs: Long): CurriculumSpec = ... }, used as Presets.ramp(3))")
            } else emptyList()
            throw ScriptFailure(messages + hint)
        }
        if (value is ResultValue.Error) throw ScriptFailure(listOf(runtimeError(file, importedPaths(file.toFile()), value.error)))
        val instance = value.scriptInstance as? GradusScript
            ?: throw ScriptFailure(listOf("$file: error: not a Gradus experiment script (expected the .experiment.kts extension)"))
        return EvaluatedScript(file, text, instance.experiments, seconds, cacheHit, instance.sweeps)
    }

    private fun diagnostics(file: Path, reports: List<ScriptDiagnostic>): List<String> =
        reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR }.map { d ->
            val where = d.location?.start
            val path = d.sourcePath ?: file.toString()
            val pos = if (where != null) ":${where.line}:${where.col}" else ""
            val cause = d.exception?.let { e -> if (d.message.contains(e.message ?: "\u0000")) "" else " (${e.message})" } ?: ""
            "$path$pos: error: ${d.message}$cause"
        }

    /** An exception the script threw, located by the first stack frame in the script file or a file it imports. */
    private fun runtimeError(file: Path, imports: List<File>, error: Throwable): String {
        val byName = linkedMapOf(file.fileName.toString() to file.toString())
        for (f in imports) byName.putIfAbsent(f.name, f.path)
        // an imported script that threw reaches the importing script's constructor as null; the
        // scripting host keeps only that NullPointerException, not the imported script's own error
        Regex("[\$][\$]importedScript_(\\w+)").find(error.message ?: "")?.let { m ->
            val cls = m.groupValues[1]
            val imported = imports.firstOrNull { scriptClassName(it.name) == cls }?.path ?: cls
            return "$file: error: the imported script $imported failed while running (its own exception is not reported by the Kotlin scripting host)"
        }
        var e: Throwable? = error
        while (e != null) {
            val frame = e.stackTrace.firstOrNull { it.fileName in byName }
            if (frame != null) return "${byName[frame.fileName]}:${frame.lineNumber}: error: ${describe(error)}"
            e = e.cause
        }
        return "$file: error: ${describe(error)}"
    }

    /** The class name Kotlin gives a script file: `bad.kts` → `Bad`, `my-curricula.kts` → `My_curricula`. */
    private fun scriptClassName(fileName: String): String =
        fileName.removeSuffix(".kts").replace(Regex("[^A-Za-z0-9_]"), "_").replaceFirstChar { it.uppercaseChar() }

    private fun describe(e: Throwable): String = (e.message ?: e.javaClass.simpleName).let {
        if (e is IllegalArgumentException || e is IllegalStateException) it else "${e.javaClass.simpleName}: $it"
    }

    companion object {
        fun defaultCacheDir(): Path = Gradus.cacheDir().resolve("scripts")

    }
}
