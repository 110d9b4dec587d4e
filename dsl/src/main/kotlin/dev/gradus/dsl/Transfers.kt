package dev.gradus.dsl

import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.isDirectory
import kotlin.io.path.isRegularFile
import kotlin.io.path.name

/** Where `model.transfers[].run` finds a recorded run's final parameters. */
object Transfers {
    /** The file a run record keeps its final parameters in. */
    const val PARAMETERS_FILE = "parameters.bin"

    /**
     * Run ids in the order they were made: `yyyyMMdd-HHmmss`, then a counter for runs started in
     * the same second (`…-2`, …, `…-10`), compared as a number.
     */
    @JvmField
    val RUN_ORDER: Comparator<String> = compareBy<String>({ it.split('-').take(2).joinToString("-") }, { it.split('-').getOrNull(2)?.toIntOrNull() ?: 0 })

    /**
     * [run] as a parameter file: the file itself, a run directory's `parameters.bin`, or, for a
     * folder of runs (`runs/<experiment>`), the newest run that has one (run ids sort by time).
     * Relative paths resolve against the working directory. The result may not exist; reading it
     * then fails with its name.
     */
    @JvmStatic
    fun parameterFile(run: String): Path {
        val p = Path.of(run)
        if (p.isRegularFile()) return p
        val direct = p.resolve(PARAMETERS_FILE)
        if (direct.isRegularFile() || !p.isDirectory()) return direct
        val newest = Files.list(p).use { s ->
            s.filter { it.isDirectory() && it.resolve(PARAMETERS_FILE).isRegularFile() }.toList().maxWithOrNull(compareBy(RUN_ORDER) { it.name })
        }
        return newest?.resolve(PARAMETERS_FILE) ?: direct
    }
}
