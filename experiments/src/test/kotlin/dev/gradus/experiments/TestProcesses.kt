package dev.gradus.experiments

import java.nio.file.Path

/** The java command line of `gradus` in a child process: this test JVM's binary, options and class path, and the CLI's main class. */
internal fun gradusJavaCommand(): List<String> {
    val javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString())
    val jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().inputArguments
        .filter { !it.startsWith("-agentlib:jdwp") && !it.startsWith("-javaagent") }
    return listOf(javaBin) + jvm + listOf("-cp", System.getProperty("java.class.path"), "dev.gradus.experiments.CliKt")
}
