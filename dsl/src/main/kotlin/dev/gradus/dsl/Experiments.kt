package dev.gradus.dsl

import java.util.function.Consumer

/**
 * The Java entry point to the DSL: everything a Kotlin script declares can be declared here,
 * with the same builders, or read from JSON.
 *
 * ```java
 * ExperimentSpec spec = Experiments.experiment("quickstart", e -> {
 *     e.setSeed(7);
 *     e.setData(Specs.shapeset(Shapeset.Family.BASIC, 10_000, 2_000));
 *     e.model(m -> { m.dense(256, Activation.RELU); m.output(3); });
 *     e.setOptimizer(Specs.sgd(0.1));
 *     e.train(t -> { t.setEpochs(5); t.setBatchSize(64); });
 * });
 * ExperimentResult r = Experiments.compile(spec).run();
 * ```
 * Optimizers, schedules and pipelines are static methods of `Specs` too; a hyperparameter is a
 * `double` or a `ScheduleSpec` (`Specs.cosine(0.1, 10_000)`, `ScheduleSpec.constant(0.9)`), and
 * the blocks of groups and pipelines are `Consumer`s:
 * ```java
 * e.setOptimizer(Specs.pipeline(p -> {
 *     p.phase("adam", Specs.epochs(5), Specs.adam(1e-3));
 *     p.phase("sgd", Specs.plateau("validation.loss", 2, 20), Specs.sgd(Specs.cosine(0.01, 5_000), ScheduleSpec.constant(0.9)));
 * }));
 * e.train(t -> t.setValidationFraction(0.1));
 * ```
 * The spec classes can also be constructed directly (their constructors have overloads for the
 * default arguments), e.g. `new ShapesetSpec("basic", 600, 200)`.
 */
object Experiments {
    /** Declares an experiment with a [Consumer] of the builder (the Kotlin `experiment(name) { }`). */
    @JvmStatic
    fun experiment(name: String, block: Consumer<ExperimentBuilder>): ExperimentSpec =
        ExperimentBuilder(name).also { block.accept(it) }.build()

    /** A fresh builder; call [ExperimentBuilder.build] when done. */
    @JvmStatic
    fun builder(name: String): ExperimentBuilder = ExperimentBuilder(name)

    @JvmStatic
    fun fromJson(json: String): ExperimentSpec = SpecJson.decode(json)

    @JvmStatic
    fun toJson(spec: ExperimentSpec): String = SpecJson.encode(spec)

    @JvmStatic
    fun validate(spec: ExperimentSpec): List<SpecProblem> = SpecCompiler.validate(spec)

    @JvmStatic
    fun compile(spec: ExperimentSpec): CompiledExperiment = SpecCompiler.compile(spec)

    @JvmStatic
    fun compileJson(json: String): CompiledExperiment = SpecCompiler.compileJson(json)
}
