package dev.gradus.dsl.script

import dev.gradus.dsl.ExperimentBuilder
import dev.gradus.dsl.ExperimentSpec
import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.ScriptAcceptedLocation
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.acceptedLocations
import kotlin.script.experimental.api.compilerOptions
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.api.ide
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
}

/**
 * Compilation settings of [GradusScript]: the DSL imported by default, the host's whole class
 * path visible to scripts, JVM 17 bytecode (scripts default to 1.8 and then cannot inline
 * JVM-17 code).
 */
object GradusScriptCompilationConfiguration : ScriptCompilationConfiguration({
    defaultImports("dev.gradus.dsl.*")
    jvm {
        dependenciesFromCurrentContext(wholeClasspath = true)
    }
    compilerOptions.append("-jvm-target", "17")
    ide {
        acceptedLocations(ScriptAcceptedLocation.Everywhere)
    }
}) {
    @Suppress("unused")
    private fun readResolve(): Any = GradusScriptCompilationConfiguration
}

/** Evaluation settings of [GradusScript]: nothing beyond the defaults (no receivers or properties to provide). */
object GradusScriptEvaluationConfiguration : ScriptEvaluationConfiguration({}) {
    @Suppress("unused")
    private fun readResolve(): Any = GradusScriptEvaluationConfiguration
}
