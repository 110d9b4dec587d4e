package dev.gradus.dsl

/**
 * One thing wrong with a spec: [path] locates the field the way a reader finds it in the JSON
 * (`model.layers[2].units`, `data.family`, `train.batchSize`), [message] says what is wrong.
 */
data class SpecProblem(val path: String, val message: String) {
    override fun toString(): String = "$path: $message"
}

/** Base of the errors about specs (as opposed to errors while training). */
open class SpecException(message: String, cause: Throwable? = null) : RuntimeException(message, cause)

/** Text that is not a readable spec (bad JSON, unknown key or type, missing field, unsupported version). */
class SpecFormatException(message: String, cause: Throwable? = null) : SpecException(message, cause)

/**
 * A spec that cannot run. The message lists every problem, one per line, as `path: message`,
 * after a first line naming the experiment:
 * ```
 * experiment 'quickstart' has 2 problems:
 * model.layers[2].units: must be > 0, got -4
 * optimizer.lr: must be > 0 and finite, got NaN
 * ```
 */
class InvalidSpecException @JvmOverloads constructor(
    val problems: List<SpecProblem>,
    val experimentName: String? = null,
) : SpecException(format(problems, experimentName)) {
    private companion object {
        fun format(problems: List<SpecProblem>, name: String?): String {
            val what = if (name != null) "experiment '$name'" else "the experiment spec"
            val count = if (problems.size == 1) "1 problem" else "${problems.size} problems"
            return buildString {
                append(what).append(" has ").append(count).append(':')
                for (p in problems) append('\n').append(p.path).append(": ").append(p.message)
            }
        }
    }
}
