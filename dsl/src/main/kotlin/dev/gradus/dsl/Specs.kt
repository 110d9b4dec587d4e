@file:JvmName("Specs")
@file:JvmMultifileClass

package dev.gradus.dsl

import dev.gradus.engine.data.Shapeset
import dev.gradus.engine.nn.Activation

/*
 * The DSL's vocabulary: factories for the parts of a spec and named values for activations and
 * shape families. All of them only build data; nothing runs. From Java these are static
 * methods of `dev.gradus.dsl.Specs` (with overloads for the default arguments); Java code
 * names activations and families by the engine enums, `Activation.RELU`, `Shapeset.Family.BASIC`.
 * Optimizers, schedules and stopping rules are in OptimizerDsl.kt and ScheduleDsl.kt (the same
 * `Specs` class for Java).
 */

/** An element-wise nonlinearity of a dense layer (the engine's enum; the spec stores its [Activation.id]). */
typealias ActivationName = Activation

/** A family of generated shapes (the engine's enum; the spec stores its lower-case name). */
typealias ShapesetFamily = Shapeset.Family

val identity: Activation = Activation.IDENTITY
val relu: Activation = Activation.RELU
val tanh: Activation = Activation.TANH
val sigmoid: Activation = Activation.SIGMOID
val softsign: Activation = Activation.SOFTSIGN
val softplus: Activation = Activation.SOFTPLUS

/** Squares, circles, equilateral triangles: the easy family. */
@Suppress("ObjectPropertyName", "ktlint:standard:property-naming")
val Basic: Shapeset.Family = Shapeset.Family.BASIC

/** Rectangles, ellipses, arbitrary triangles: the hard family. */
@Suppress("ObjectPropertyName", "ktlint:standard:property-naming")
val Geometric: Shapeset.Family = Shapeset.Family.GEOMETRIC

/** The spec's name of a family ("basic", "geometric"). */
val Shapeset.Family.id: String get() = name.lowercase()

/**
 * Declares an experiment and returns its spec (nothing runs). Inside a `.experiment.kts`
 * script the script's own `experiment` (see `dev.gradus.dsl.script.GradusScript`) takes
 * precedence and also registers the spec with the host.
 */
@JvmSynthetic
fun experiment(name: String, block: ExperimentBuilder.() -> Unit): ExperimentSpec =
    ExperimentBuilder(name).apply(block).build()

/**
 * Generated shape images (no download). Sizes are the bounding-circle diameter as a fraction
 * of the image side; see `dev.gradus.engine.data.ShapesetConfig`.
 */
@JvmOverloads
fun shapeset(
    family: Shapeset.Family = Basic,
    train: Int = 10_000,
    test: Int = 2_000,
    imageSize: Int = 32,
    minSize: Double = 0.4,
    maxSize: Double = 0.8,
    rotate: Boolean = true,
    inversionProbability: Double = 0.0,
    greyLevels: Boolean = true,
): ShapesetSpec = ShapesetSpec(
    family = family.id,
    train = train,
    test = test,
    imageSize = imageSize,
    minSize = minSize,
    maxSize = maxSize,
    rotate = rotate,
    inversionProbability = inversionProbability,
    greyLevels = greyLevels,
)

/**
 * Fashion-MNIST from its gzipped IDX files, optionally only the first [trainLimit] / [testLimit]
 * examples. [dir] null: `$GRADUS_DATA` or `/usr/share/datasets/fashion-mnist`.
 */
@JvmOverloads
fun fashionMnist(trainLimit: Int? = null, testLimit: Int? = null, dir: String? = null): FashionMnistSpec =
    FashionMnistSpec(dir = dir, trainLimit = trainLimit, testLimit = testLimit)

/** Glorot & Bengio (2010) normalized uniform initialization `U(±gain·√6/√(fanIn+fanOut))`. */
@JvmOverloads
fun glorotUniform(gain: Double = 1.0): InitSpec = InitSpec.glorotUniform(gain)

/** All zeros (the default for biases). */
fun zeros(): InitSpec = InitSpec.zeros()

/** Every value equal to [value], e.g. `constant(0.1)` for ReLU biases. */
fun constant(value: Double): InitSpec = InitSpec.constant(value)
