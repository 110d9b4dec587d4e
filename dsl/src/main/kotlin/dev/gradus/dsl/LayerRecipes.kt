package dev.gradus.dsl

import dev.gradus.engine.init.Initializer
import dev.gradus.engine.init.Initializers
import dev.gradus.engine.nn.Activation
import dev.gradus.engine.nn.BatchNorm
import dev.gradus.engine.nn.Dense
import dev.gradus.engine.nn.Dropout
import dev.gradus.engine.nn.ElmanRnn
import dev.gradus.engine.nn.HighwayDense
import dev.gradus.engine.nn.Layer
import dev.gradus.engine.nn.Residual

/**
 * A validated layer spec with its names resolved to engine objects; [build] makes the engine
 * layer for the width it receives. Initializers are resolved at compile time because gains may
 * depend on the activation and fans.
 */
internal sealed interface LayerRecipe {
    /** The width this layer gives for [inputs] inputs. */
    fun outputSize(inputs: Int): Int

    /** The engine layer; [outputBias] replaces a class-frequency bias (known only with the data). */
    fun build(inputs: Int, outputBias: () -> Initializer): Layer
}

/** A dense layer; a null [biasInit] means biases from the training labels' class frequencies. */
internal data class DenseRecipe(
    val units: Int,
    val activation: Activation,
    val weightInit: Initializer,
    val biasInit: Initializer?,
) : LayerRecipe {
    override fun outputSize(inputs: Int) = units
    override fun build(inputs: Int, outputBias: () -> Initializer): Layer =
        Dense(inputs, units, true, weightInit, biasInit ?: outputBias(), activation)
}

internal data class BatchNormRecipe(val momentum: Double, val epsilon: Double) : LayerRecipe {
    override fun outputSize(inputs: Int) = inputs
    override fun build(inputs: Int, outputBias: () -> Initializer): Layer = BatchNorm(inputs, momentum, epsilon)
}

internal data class DropoutRecipe(val rate: Double) : LayerRecipe {
    override fun outputSize(inputs: Int) = inputs
    override fun build(inputs: Int, outputBias: () -> Initializer): Layer = Dropout(inputs, rate)
}

internal data class ResidualRecipe(val body: List<LayerRecipe>, val projection: Initializer?, val activation: Activation) : LayerRecipe {
    override fun outputSize(inputs: Int) = body.fold(inputs) { w, r -> r.outputSize(w) }

    override fun build(inputs: Int, outputBias: () -> Initializer): Layer {
        var w = inputs
        val layers = body.map { r -> r.build(w, outputBias).also { w = r.outputSize(w) } }
        val proj = projection?.let { Dense(inputs, w, true, it, dev.gradus.engine.init.Constant.ZEROS) }
        return Residual(layers, proj, activation)
    }
}

internal data class HighwayRecipe(val activation: Activation, val weightInit: Initializer, val gateBias: Initializer) : LayerRecipe {
    override fun outputSize(inputs: Int) = inputs
    override fun build(inputs: Int, outputBias: () -> Initializer): Layer =
        HighwayDense(inputs, activation, weightInit, weightInit, gateBias)
}

internal data class ElmanRecipe(
    val stepFeatures: Int,
    val hidden: Int,
    val inputInit: Initializer,
    val recurrentInit: Initializer,
    val biasInit: Initializer,
) : LayerRecipe {
    override fun outputSize(inputs: Int) = hidden
    override fun build(inputs: Int, outputBias: () -> Initializer): Layer =
        ElmanRnn(inputs, stepFeatures, hidden, inputInit, recurrentInit, biasInit)
}

/** Resolves validated layer specs into recipes; [inputs] is the width the first one receives. */
internal object LayerRecipes {
    private val ACTIVATIONS: Map<String, Activation> = Activation.values().associateBy { it.id() }

    fun activation(id: String): Activation = ACTIVATIONS.getValue(id)

    fun of(specs: List<LayerSpec>, inputs: Int): List<LayerRecipe> {
        var w = inputs
        return specs.map { spec -> of(spec, w).also { w = it.outputSize(w) } }
    }

    private fun init(init: InitSpec, activation: Activation, fanIn: Int, fanOut: Int): Initializer =
        Initializers.byName(init.name, init.args, activation, fanIn, fanOut)

    private fun of(spec: LayerSpec, inputs: Int): LayerRecipe = when (spec) {
        is DenseSpec -> {
            val a = activation(spec.activation)
            DenseRecipe(
                spec.units, a, init(spec.weightInit, a, inputs, spec.units),
                if (spec.biasInit.name == InitSpec.CLASS_FREQUENCIES) null else init(spec.biasInit, a, inputs, spec.units),
            )
        }
        is BatchNormSpec -> BatchNormRecipe(spec.momentum, spec.epsilon)
        is DropoutSpec -> DropoutRecipe(spec.rate)
        is ResidualSpec -> {
            val body = of(spec.body, inputs)
            val out = body.fold(inputs) { w, r -> r.outputSize(w) }
            ResidualRecipe(
                body,
                if (spec.projection) init(spec.projectionInit, Activation.IDENTITY, inputs, out) else null,
                activation(spec.activation),
            )
        }
        is HighwaySpec -> {
            val a = activation(spec.activation)
            HighwayRecipe(a, init(spec.weightInit, a, inputs, inputs), init(spec.gateBias, Activation.SIGMOID, inputs, inputs))
        }
        is ElmanSpec -> ElmanRecipe(
            spec.stepFeatures, spec.hidden,
            init(spec.inputInit, Activation.TANH, spec.stepFeatures, spec.hidden),
            init(spec.recurrentInit, Activation.TANH, spec.hidden, spec.hidden),
            init(spec.biasInit, Activation.TANH, spec.hidden, spec.hidden),
        )
    }
}
