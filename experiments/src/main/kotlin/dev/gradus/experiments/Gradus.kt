package dev.gradus.experiments

import java.nio.file.Path
import java.util.Properties

/** Build facts and well-known places. */
object Gradus {
    val version: String by lazy {
        val p = Properties()
        Gradus::class.java.getResourceAsStream("/gradus.properties")?.use { p.load(it) }
        p.getProperty("version", "unknown")
    }

    /** `GRADUS_CACHE`, else `~/.cache/gradus`: compiled scripts, the backends' natives (one definition, in the engine). */
    fun cacheDir(): Path = dev.gradus.engine.tensor.Backends.cacheDir()

    /** The repository root the launcher runs from (`-Dgradus.home`), else the working directory. */
    fun home(): Path = Path.of(System.getProperty("gradus.home") ?: ".").toAbsolutePath().normalize()
}
