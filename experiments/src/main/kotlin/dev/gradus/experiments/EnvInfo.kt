package dev.gradus.experiments

import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Facts about the machine and the code for `env.json`. */
object EnvInfo {
    fun record(backend: String, backendDescription: String, device: String, threads: Int, near: Path?): EnvRecord {
        val git = near?.let { gitState(it) }
        return EnvRecord(
            gradusVersion = Gradus.version,
            backend = backend,
            backendDescription = backendDescription,
            device = device,
            threads = threads,
            ompWaitPolicy = System.getenv("OMP_WAIT_POLICY"),
            javaVersion = System.getProperty("java.version"),
            javaVendor = System.getProperty("java.vendor"),
            jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
            os = System.getProperty("os.name") + " " + System.getProperty("os.version"),
            arch = System.getProperty("os.arch"),
            cpus = Runtime.getRuntime().availableProcessors(),
            gitCommit = git?.first,
            gitDirty = git?.second,
        )
    }

    /** The commit and whether the work tree differs from it, when [dir] is inside a git repository. */
    fun gitState(dir: Path): Pair<String, Boolean>? {
        val folder = if (dir.toFile().isDirectory) dir else dir.toAbsolutePath().parent ?: return null
        val commit = git(folder, "rev-parse", "HEAD") ?: return null
        val dirty = git(folder, "status", "--porcelain", "--untracked-files=no")?.isNotBlank() ?: false
        return commit.trim() to dirty
    }

    private fun git(dir: Path, vararg args: String): String? = try {
        val p = ProcessBuilder(listOf("git", "-C", dir.toString()) + args).redirectErrorStream(false).start()
        p.outputStream.close()
        val out = p.inputStream.bufferedReader().readText()
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) out else null
    } catch (e: java.io.IOException) {
        null
    }
}
