package dev.gradus.dsl.script

import dev.gradus.dsl.Basic
import dev.gradus.dsl.ExperimentSpec
import dev.gradus.dsl.SpecCompiler
import dev.gradus.dsl.relu
import dev.gradus.dsl.sgd
import dev.gradus.dsl.shapeset
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.api.compilerOptions
import kotlin.script.experimental.api.ScriptCompilationConfiguration

/** What a script body does, run as a subclass (compiling real scripts needs the host, in experiments/). */
private class SweepScript : GradusScript() {
    init {
        for (lr in listOf(0.01, 0.1)) {
            experiment("lr-$lr") {
                data = shapeset(family = Basic, train = 1_000, test = 200)
                model { dense(32, relu); output(classes = 3) }
                optimizer = sgd(lr = lr)
            }
        }
    }
}

class GradusScriptSpec : FunSpec({
    test("experiments declared by a script body are collected in order") {
        val script = SweepScript()
        script.experiments.map { it.name } shouldContainExactly listOf("lr-0.01", "lr-0.1")
        script.experiments.forEach { SpecCompiler.validate(it) shouldBe emptyList() }
    }

    test("register adds a spec built elsewhere; duplicate names are refused") {
        val script = SweepScript()
        val extra: ExperimentSpec = script.experiments[0].copy(name = "extra")
        script.register(extra)
        script.experiments.map { it.name } shouldContainExactly listOf("lr-0.01", "lr-0.1", "extra")
        shouldThrow<IllegalArgumentException> { script.register(extra) }.message shouldContain
            "experiment 'extra' is declared twice in this script"
    }

    test("the script definition is annotated and configured for hosts") {
        val ann = GradusScript::class.java.getAnnotation(KotlinScript::class.java).shouldNotBeNull()
        ann.fileExtension shouldBe "experiment.kts"
        ann.compilationConfiguration shouldBe GradusScriptCompilationConfiguration::class
        val cfg: ScriptCompilationConfiguration = GradusScriptCompilationConfiguration
        cfg[ScriptCompilationConfiguration.defaultImports].shouldNotBeNull() shouldContainExactly listOf("dev.gradus.dsl.*", "dev.gradus.dsl.script.Import")
        cfg[ScriptCompilationConfiguration.compilerOptions].shouldNotBeNull() shouldContainExactly listOf("-jvm-target", "17")
        val res = GradusScript::class.java.classLoader
            .getResource("META-INF/kotlin/script/templates/dev.gradus.dsl.script.GradusScript.classname")
        res.shouldNotBeNull()
    }
})
