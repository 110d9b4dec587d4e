package dev.gradus.experiments

import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Path

/** What one in-process `gradus` command returned and printed. */
data class CliOutcome(val code: Int, val out: String, val err: String)

/**
 * Runs `gradus args` in this JVM, capturing stdout and stderr: the command line as the specs use
 * it, with their own script cache (null: no cache) and, for sweeps, trials in this JVM.
 */
fun runGradus(args: Array<out String>, scriptCache: Path?, sweepInProcess: Boolean = false): CliOutcome {
    val o = ByteArrayOutputStream()
    val e = ByteArrayOutputStream()
    val code = Cli(PrintStream(o, true), PrintStream(e, true), scriptCache = scriptCache, sweepInProcess = sweepInProcess).run(arrayOf(*args))
    return CliOutcome(code, o.toString(), e.toString())
}
