package dev.gradus.dsl.script

import dev.gradus.dsl.ExperimentBuilder
import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.SweepBuilder
import dev.gradus.dsl.SweepDeclaration
import java.io.File
import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptAcceptedLocation
import kotlin.script.experimental.api.ScriptCollectedData
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.ScriptConfigurationRefinementContext
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.api.acceptedLocations
import kotlin.script.experimental.api.asSuccess
import kotlin.script.experimental.api.collectedAnnotations
import kotlin.script.experimental.api.compilerOptions
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.api.ide
import kotlin.script.experimental.api.importScripts
import kotlin.script.experimental.api.refineConfiguration
import kotlin.script.experimental.host.FileBasedScriptSource
import kotlin.script.experimental.host.FileScriptSource
import kotlin.script.experimental.jvm.dependenciesFromCurrentContext
import kotlin.script.experimental.jvm.jvm

/**
 * Base class of `*.experiment.kts` scripts. A script declares experiments with top-level calls
 * to [experiment] (one or several, in loops too); each call registers its spec in this
 * instance, in declaration order, and the host reads them from [experiments] after evaluation.
 * The DSL (`dev.gradus.dsl.*`) is imported by default.
 *
 * ```
 * // quickstart.experiment.kts
 * experiment("quickstart") {
 *     seed = 7
 *     data = shapeset(family = Basic, train = 10_000, test = 2_000)
 *     model { dense(256, relu); dense(256, relu); output(classes = 3) }
 *     optimizer = sgd(lr = 0.1)
 *     train { epochs = 5; batchSize = 64 }
 * }
 * ```
 *
 * How a host evaluates a script and collects its specs (needs `kotlin-scripting-jvm-host`):
 * ```
 * val host = BasicJvmScriptingHost()
 * val compilation = createJvmCompilationConfigurationFromTemplate<GradusScript>()
 * val result = host.eval(file.toScriptSource(), compilation, null)
 * // on failure: result.reports hold the diagnostics (file:line:col, message) and the exception
 * val value = result.valueOrThrow().returnValue          // ResultValue.Value / Unit / Error
 * if (value is ResultValue.Error) throw value.error        // an exception thrown by the script
 * val specs = (value.scriptInstance as GradusScript).experiments
 * ```
 * Nothing has to be passed in: no implicit receivers, no constructor arguments, no provided
 * properties. The class is a plain abstract class, so a host may also subclass it directly
 * (e.g. `object : GradusScript() {}` in tests) and call [experiment] itself.
 *
 * Shared scripts: `@file:Import("shared/my-curricula.kts")` (path relative to the importing
 * script; see [Import]) compiles that file with the script and makes its top-level functions,
 * values and classes visible by name; it runs before the importing script, so the
 * `registerCurriculum(...)` calls it makes are in place when the experiments are built.
 *
 * An `experiment` called from a *library* function (outside the script body) is the top-level
 * `dev.gradus.dsl.experiment`, which only returns the spec; pass it to [register] to declare it.
 */
@KotlinScript(
    displayName = "Gradus experiment",
    fileExtension = "experiment.kts",
    compilationConfiguration = GradusScriptCompilationConfiguration::class,
    evaluationConfiguration = GradusScriptEvaluationConfiguration::class,
)
abstract class GradusScript {
    private val declared = mutableListOf<ExperimentSpec>()

    /** The experiments this script declared so far, in order. */
    val experiments: List<ExperimentSpec> get() = declared.toList()

    /** Declares an experiment: builds its spec, registers it with this script and returns it. */
    fun experiment(name: String, block: ExperimentBuilder.() -> Unit): ExperimentSpec =
        register(ExperimentBuilder(name).apply(block).build())

    /**
     * Registers a spec built elsewhere (e.g. `register(base.copy(name = "lr-0.3", ...))`).
     * Names must be unique within a script: they name the run folders.
     */
    fun register(spec: ExperimentSpec): ExperimentSpec {
        require(declared.none { it.name == spec.name }) {
            "experiment '${spec.name}' is declared twice in this script; names must be unique"
        }
        declared += spec
        return spec
    }

    private val declaredSweeps = mutableListOf<SweepDeclaration>()

    /** The sweeps this script declared so far, in order (`gradus sweep` runs them). */
    val sweeps: List<SweepDeclaration> get() = declaredSweeps.toList()

    /**
     * Declares a sweep: seeds × alternatives (experiments of this script) × grid × random
     * draws, or configurations computed by code (`trial("name") { seed -> mapOf(...) }`), and
     * claims judged on the results. Nothing runs here; `gradus sweep` validates and runs it.
     */
    fun sweep(name: String, block: SweepBuilder.() -> Unit): SweepDeclaration {
        require(declaredSweeps.none { it.name == name }) { "sweep '$name' is declared twice in this script; names must be unique" }
        return SweepBuilder(name).apply(block).build().also { declaredSweeps += it }
    }
}

/**
 * Compilation settings of [GradusScript]: the DSL imported by default, the host's whole class
 * path visible to scripts, JVM 17 bytecode (scripts default to 1.8 and then cannot inline
 * JVM-17 code).
 */
object GradusScriptCompilationConfiguration : ScriptCompilationConfiguration({
    defaultImports("dev.gradus.dsl.*", "dev.gradus.dsl.script.Import")
    jvm {
        dependenciesFromCurrentContext(wholeClasspath = true)
    }
    compilerOptions.append("-jvm-target", "17")
    ide {
        acceptedLocations(ScriptAcceptedLocation.Everywhere)
    }
    refineConfiguration {
        onAnnotations(Import::class, handler = ::importSharedScripts)
    }
}) {
    @Suppress("unused")
    private fun readResolve(): Any = GradusScriptCompilationConfiguration
}

/**
 * Imports shared scripts into an experiment script: `@file:Import("shared/my-curricula.kts")`,
 * several paths per annotation or several annotations. A path is resolved against the
 * importing script's folder (an absolute path is taken as is). The imported file is compiled
 * with the same definition (the DSL imported by default, the whole class path) and may itself
 * import others. Its declarations (functions, values, classes) are visible in the importing
 * script by name, and it runs first: `registerCurriculum(...)` calls in it take effect before
 * the experiments are built. A file imported twice (directly or through another import) is
 * compiled and run once.
 *
 * Hosts that cache compiled scripts must key the cache on the imported files' contents too
 * (the Gradus CLI finds them with [importedPaths]).
 */
@Target(AnnotationTarget.FILE)
@Retention(AnnotationRetention.SOURCE)
annotation class Import(vararg val paths: String)

/** Resolves [Import] annotations into `importScripts`; a missing file is an error at the annotation's line. */
internal fun importSharedScripts(context: ScriptConfigurationRefinementContext): ResultWithDiagnostics<ScriptCompilationConfiguration> {
    val annotations = context.collectedData?.get(ScriptCollectedData.collectedAnnotations)
        ?.filter { it.annotation is Import }
        ?.takeIf { it.isNotEmpty() }
        ?: return context.compilationConfiguration.asSuccess()
    val scriptFile = (context.script as? FileBasedScriptSource)?.file
    val baseDir = scriptFile?.absoluteFile?.parentFile
    val sources = mutableListOf<SourceCode>()
    val problems = mutableListOf<ScriptDiagnostic>()
    for (a in annotations) {
        for (path in (a.annotation as Import).paths) {
            val file = File(path).let { if (it.isAbsolute || baseDir == null) it else File(baseDir, path) }.normalize()
            when {
                path.isBlank() -> problems += importProblem("@file:Import needs a file path, got an empty string", context, a.location)
                !file.isFile -> problems += importProblem(
                    "imported script '$path' not found (looked for ${file.path}, relative to ${baseDir?.path ?: "the working directory"})",
                    context, a.location,
                )
                else -> sources += FileScriptSource(file)
            }
        }
    }
    if (problems.isNotEmpty()) return ResultWithDiagnostics.Failure(problems)
    return ScriptCompilationConfiguration(context.compilationConfiguration) {
        importScripts.append(sources)
    }.asSuccess()
}

private fun importProblem(message: String, context: ScriptConfigurationRefinementContext, location: SourceCode.LocationWithId?) =
    ScriptDiagnostic(
        ScriptDiagnostic.unspecifiedError,
        message,
        ScriptDiagnostic.Severity.ERROR,
        sourcePath = (context.script as? FileBasedScriptSource)?.file?.path ?: context.script.locationId,
        location = location?.locationInText,
    )

/**
 * The files [script] imports with `@file:Import(...)`, transitively, found by a regular
 * expression over the text (not by compiling): each `@file:Import("a", "b")` annotation's string
 * literals, resolved against the importing file's folder. Missing files are skipped (compiling
 * reports them). Used to key compiled-script caches on everything that was compiled. An import
 * built by string templates or constants instead of plain literals is not seen.
 */
fun importedPaths(script: File): List<File> {
    val seen = LinkedHashSet<File>()
    fun visit(f: File) {
        val text = runCatching { f.readText() }.getOrNull() ?: return
        val dir = f.absoluteFile.parentFile
        for (m in IMPORT_ANNOTATION.findAll(text)) {
            for (lit in STRING_LITERAL.findAll(m.groupValues[1])) {
                val path = lit.groupValues[1]
                val target = File(path).let { if (it.isAbsolute) it else File(dir, path) }.absoluteFile.normalize()
                if (target.isFile && seen.add(target)) visit(target)
            }
        }
    }
    visit(script.absoluteFile.normalize())
    return seen.toList()
}

private val IMPORT_ANNOTATION = Regex("""@file\s*:\s*(?:dev\.gradus\.dsl\.script\.)?Import\s*\(([^)]*)\)""")
private val STRING_LITERAL = Regex("\"((?:[^\"\\\\]|\\\\.)*)\"")

/** Evaluation settings of [GradusScript]: nothing beyond the defaults (no receivers or properties to provide). */
object GradusScriptEvaluationConfiguration : ScriptEvaluationConfiguration({}) {
    @Suppress("unused")
    private fun readResolve(): Any = GradusScriptEvaluationConfiguration
}
