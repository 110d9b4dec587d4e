package dev.gradus.experiments

import dev.gradus.dsl.script.GradusScript
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldEndWith
import java.nio.file.Files
import java.nio.file.Path
import java.util.jar.JarFile
import kotlin.io.path.isDirectory
import kotlin.io.path.isRegularFile
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.script.experimental.annotations.KotlinScript

/**
 * IntelliJ finds script definitions in a project's dependencies by the marker files
 * `META-INF/kotlin/script/templates/<class>.classname`: the dsl artifact this module depends on
 * (the installed jar, or dsl/target/classes inside a reactor build) must ship one naming the
 * script class, which must carry @KotlinScript for `.experiment.kts`.
 */
class ScriptTemplateSpec : FunSpec({
    test("the dsl artifact ships the script-template marker naming an @KotlinScript class for .experiment.kts") {
        val location = Path.of(GradusScript::class.java.protectionDomain.codeSource.location.toURI())
        val markers: List<String> = if (location.isRegularFile()) {
            location.name shouldEndWith ".jar"
            JarFile(location.toFile()).use { jar ->
                jar.entries().toList().map { it.name }
                    .filter { it.startsWith(TEMPLATES) && it.endsWith(".classname") }
                    .onEach { jar.getInputStream(jar.getJarEntry(it)).readAllBytes().size shouldBe 0 } // the IDE reads only the name
            }
        } else {
            location.isDirectory() shouldBe true
            location.resolve(TEMPLATES).listDirectoryEntries("*.classname").map { TEMPLATES + it.name }
                .onEach { Files.size(location.resolve(it)) shouldBe 0L }
        }
        val classes = markers.map { it.removePrefix(TEMPLATES).removeSuffix(".classname") }
        classes shouldContainExactly listOf("dev.gradus.dsl.script.GradusScript")
        // the class the marker names exists (loaded by name, as the IDE does) and is a script definition
        val cls = Class.forName(classes.single(), false, GradusScript::class.java.classLoader)
        val ann = cls.getAnnotation(KotlinScript::class.java).shouldNotBeNull()
        ann.fileExtension shouldBe "experiment.kts"
        ann.displayName shouldBe "Gradus experiment"
        // its configuration objects can be instantiated by the IDE's definition loader
        ann.compilationConfiguration.objectInstance.shouldNotBeNull()
        ann.evaluationConfiguration.objectInstance.shouldNotBeNull()
    }
})

private const val TEMPLATES = "META-INF/kotlin/script/templates/"
