package dev.gradus.dsl

import dev.gradus.curricula.Pacings

import dev.gradus.engine.optim.AddDecayedWeights
import dev.gradus.engine.optim.GradientNoise
import dev.gradus.engine.optim.GradientTransform
import dev.gradus.engine.optim.Optimizers
import dev.gradus.engine.optim.Transforms
import dev.gradus.engine.optim.batch.BatchMethod
import dev.gradus.engine.optim.batch.Bfgs
import dev.gradus.engine.optim.batch.BlockCoordinateDescent
import dev.gradus.engine.optim.batch.FlatProblem
import dev.gradus.engine.optim.batch.HessianFree
import dev.gradus.engine.optim.batch.Lbfgs
import dev.gradus.engine.optim.batch.LineSearch
import dev.gradus.engine.optim.batch.NaturalGradient
import dev.gradus.engine.optim.batch.Newton
import dev.gradus.engine.optim.batch.NonlinearConjugateGradient
import dev.gradus.engine.random.RandomStreams
import dev.gradus.engine.schedule.ReduceOnPlateau
import dev.gradus.engine.schedule.Schedule
import dev.gradus.engine.schedule.Schedules
import dev.gradus.engine.train.EpochMetrics
import dev.gradus.engine.train.StoppingRule

/**
 * Builds the engine objects of validated optimizer, schedule and stopping-rule specs. Each
 * instance builds one set: stateful objects (reduce-on-plateau schedules, stopping rules) are
 * fresh, and gradient-noise streams are named in the order they are met.
 *
 * Gradient noise: the first noise transform built draws from the stream
 * `RandomStreams.seedFor(seed, "gradient-noise")`; any further one (another group or phase)
 * from `"gradient-noise@<its path in the spec>"`, so that no two add the same noise.
 */
internal class OptimizerCompiler(private val seed: Long) {
    private var noiseCount = 0

    /** [o] as an engine transform; [stepsPerEpoch] serves per-epoch schedules (null: there are none). */
    fun transform(o: OptimizerSpec, path: String, stepsPerEpoch: Long?): GradientTransform {
        fun s(x: ScheduleSpec) = schedule(x, stepsPerEpoch)
        return when (o) {
            is SgdSpec -> Optimizers.sgdBuilder(s(o.lr)).momentum(s(o.momentum)).nesterov(o.nesterov)
                .weightDecay(s(o.weightDecay)).dampening(s(o.dampening)).build()
            is MomentumSpec -> Optimizers.momentum(s(o.lr), s(o.momentum))
            is NesterovBookSpec -> Optimizers.nesterovBook(s(o.lr), s(o.momentum))
            is AdagradSpec -> Optimizers.adagradBuilder().lr(s(o.lr)).lrDecay(s(o.lrDecay)).weightDecay(s(o.weightDecay))
                .eps(s(o.eps)).initialAccumulatorValue(o.initialAccumulatorValue).build()
            is RmspropSpec -> Optimizers.rmspropBuilder().lr(s(o.lr)).alpha(s(o.alpha)).eps(s(o.eps)).momentum(s(o.momentum))
                .centered(o.centered).weightDecay(s(o.weightDecay)).build()
            is RmspropNesterovSpec -> Optimizers.rmspropBuilder().lr(s(o.lr)).alpha(s(o.rho)).eps(s(o.eps))
                .momentum(s(o.momentum)).weightDecay(s(o.weightDecay)).nesterov(true).build()
            is AdamSpec -> Optimizers.adamBuilder().lr(s(o.lr)).beta1(s(o.beta1)).beta2(s(o.beta2)).eps(s(o.eps))
                .amsgrad(o.amsgrad).weightDecay(s(o.weightDecay)).build()
            is AdamWSpec -> Optimizers.adamwBuilder().lr(s(o.lr)).beta1(s(o.beta1)).beta2(s(o.beta2)).eps(s(o.eps))
                .amsgrad(o.amsgrad).weightDecay(s(o.weightDecay)).build()
            is AdadeltaSpec -> Optimizers.adadeltaBuilder().lr(s(o.lr)).rho(s(o.rho)).eps(s(o.eps)).weightDecay(s(o.weightDecay)).build()
            is ClipByValueSpec -> Transforms.clipByValue(s(o.threshold))
            is ClipByNormSpec -> Transforms.clipByNorm(s(o.maxNorm))
            is ClipByGlobalNormSpec -> Transforms.clipByGlobalNorm(s(o.maxNorm))
            is WeightDecaySpec -> AddDecayedWeights(s(o.weightDecay))
            is GradientNoiseSpec -> {
                val stream = if (noiseCount++ == 0) GradientNoise.STREAM else "${GradientNoise.STREAM}@$path"
                val noiseSeed = RandomStreams.seedFor(seed, stream)
                if (o.variance != null) {
                    Transforms.gradientNoise(s(o.variance), noiseSeed)
                } else {
                    Transforms.gradientNoise(o.eta ?: GradientNoise.DEFAULT_ETA, o.gamma ?: GradientNoise.DEFAULT_GAMMA, noiseSeed)
                }
            }
            is PolyakSpec -> Transforms.polyak(o.fromStep)
            is EmaSpec -> Transforms.ema(s(o.decay), o.debias)
            is ChainSpec -> GradientTransform.chain(
                *o.transforms.mapIndexed { i, t -> transform(t, "$path.transforms[$i]", stepsPerEpoch) }.toTypedArray(),
            )
            is GroupsSpec -> {
                val b = Transforms.partition()
                o.groups.forEachIndexed { i, g -> b.group(g.name, g.patterns, transform(g.optimizer, "$path.groups[$i].optimizer", stepsPerEpoch)) }
                o.otherwise?.let { b.otherwise(transform(it, "$path.otherwise", stepsPerEpoch)) }
                b.build()
            }
            FreezeSpec -> Transforms.freeze()
            is PipelineSpec -> throw IllegalArgumentException("$path: a pipeline is not a transform; build its phases")
            is BatchMethodSpec -> throw IllegalArgumentException(
                "$path: ${OptimizerChecks.kind(o)} is a batch method, not a gradient transform; build it with batchMethod(...)",
            )
        }
    }

    /** [o] as an engine batch method (validated specs only: unknown names throw [IllegalArgumentException]). */
    fun batchMethod(o: BatchMethodSpec, path: String): BatchMethod = when (o) {
        is LbfgsSpec -> Lbfgs(
            o.lr, o.maxIter, o.maxEval ?: (o.maxIter * 5 / 4).coerceAtLeast(1), o.toleranceGrad, o.toleranceChange, o.history,
            lineSearch(o.lineSearch, strongWolfeC2 = 0.9),
        )
        is BfgsSpec -> Bfgs(lineSearch(o.lineSearch, 0.9) ?: LineSearch.fixed(), o.scaleInitial, o.toleranceGrad)
        is ConjugateGradientSpec -> NonlinearConjugateGradient(
            when (o.variant) {
                "polak-ribiere" -> NonlinearConjugateGradient.Beta.POLAK_RIBIERE_PLUS
                "fletcher-reeves" -> NonlinearConjugateGradient.Beta.FLETCHER_REEVES
                else -> throw IllegalArgumentException("$path.variant: unknown '${o.variant}'")
            },
            lineSearch(o.lineSearch, strongWolfeC2 = 0.1) ?: LineSearch.fixed(), o.restartEvery, o.toleranceGrad,
        )
        is NewtonSpec -> when (o.damping) {
            "none" -> Newton(curvature(o.curvature, path), 0.0, false, false, o.decrease, o.increase, o.minDamping, 1)
            "fixed" -> Newton(curvature(o.curvature, path), o.alpha, false, false, o.decrease, o.increase, o.minDamping, 1)
            else -> Newton(curvature(o.curvature, path), o.alpha, true, false, o.decrease, o.increase, o.minDamping, o.maxTrials)
        }
        is SaddleFreeNewtonSpec -> when (o.damping) {
            "fixed" -> Newton(FlatProblem.Curvature.HESSIAN, o.alpha, false, true, o.decrease, o.increase, o.minDamping, 1)
            else -> Newton(FlatProblem.Curvature.HESSIAN, o.alpha, true, true, o.decrease, o.increase, o.minDamping, o.maxTrials)
        }
        is HessianFreeSpec -> HessianFree(curvature(o.curvature, path), o.damping, o.cgIterations, o.cgTolerance, o.warmStart)
        is NaturalGradientSpec -> NaturalGradient(
            o.lr, o.damping,
            if (o.fisher == "empirical") FlatProblem.Curvature.EMPIRICAL_FISHER else FlatProblem.Curvature.FISHER,
            if (o.solver == "explicit") NaturalGradient.Solver.EXPLICIT else NaturalGradient.Solver.CONJUGATE_GRADIENT,
            o.cgIterations, o.cgTolerance,
        )
        is BlockCoordinateSpec -> when (val inner = o.inner) {
            is BatchMethodSpec -> BlockCoordinateDescent.of(o.blocks, batchMethod(inner, "$path.inner"), o.innerSteps)
            else -> BlockCoordinateDescent.of(o.blocks, transform(inner, "$path.inner", null), o.innerSteps)
        }
    }

    private fun lineSearch(name: String, strongWolfeC2: Double): LineSearch? = when (name) {
        "strong-wolfe" -> LineSearch.strongWolfe(1e-4, strongWolfeC2, 1e-9, 25)
        "armijo" -> LineSearch.armijo()
        "exact" -> LineSearch.exact(1e-6, 20)
        "none" -> null
        else -> throw IllegalArgumentException("unknown line search '$name'")
    }

    private fun curvature(name: String, path: String): FlatProblem.Curvature = when (name) {
        "hessian" -> FlatProblem.Curvature.HESSIAN
        "gauss-newton" -> FlatProblem.Curvature.GAUSS_NEWTON
        else -> throw IllegalArgumentException("$path.curvature: unknown '$name'")
    }

    /** [s] as an engine schedule; [stepsPerEpoch] serves [PerEpochSchedule]. */
    fun schedule(s: ScheduleSpec, stepsPerEpoch: Long?): Schedule {
        fun r(x: ScheduleSpec) = schedule(x, stepsPerEpoch)
        return when (s) {
            is ConstantSchedule -> Schedule.constant(s.value)
            is StepDecaySchedule -> Schedules.stepDecay(s.initial, s.factor, s.every)
            is MultiStepSchedule -> Schedules.multiStep(s.initial, s.factor, *s.milestones.toLongArray())
            is ExponentialSchedule -> Schedules.exponential(s.initial, s.rate)
            is InverseTimeSchedule -> Schedules.inverseTime(s.initial, s.rate)
            is LinearDecaySchedule -> Schedules.linearDecay(s.initial, s.steps, s.end)
            is PolynomialSchedule -> Schedules.polynomial(s.initial, s.steps, s.end, s.power)
            is CosineSchedule -> Schedules.cosine(s.initial, s.steps, s.end)
            is StepPacingSchedule -> Pacings.step(s.start, s.increment, s.every.toInt())
            is LinearPacingSchedule -> Pacings.linear(s.from, s.to, s.epochs.toInt())
            is RootPacingSchedule -> Pacings.root(s.from, s.epochs.toInt(), s.power)
            is GeometricPacingSchedule -> Pacings.geometric(s.from, s.epochs.toInt())
            is ExponentialPacingSchedule -> Pacings.exponential(s.start, s.factor, s.every.toInt())
            is WarmupSchedule -> Schedules.warmup(r(s.after), s.steps, s.start)
            is JoinSchedule -> Schedules.join(s.parts.map { r(it) }, *s.boundaries.toLongArray())
            is SutskeverMomentumSchedule -> Schedules.sutskeverMomentum(s.max, s.every)
            is PerEpochSchedule -> Schedules.perEpoch(
                r(s.ofEpoch),
                requireNotNull(stepsPerEpoch) { "a per-epoch schedule needs a fixed batch size" },
            )
            is ReduceOnPlateauSchedule -> Schedules.reduceOnPlateau(
                r(s.base),
                s.metric,
                when (s.mode) {
                    null -> if (EpochMetrics.higherIsBetter(s.metric)) ReduceOnPlateau.Mode.MAX else ReduceOnPlateau.Mode.MIN
                    else -> ReduceOnPlateau.Mode.valueOf(s.mode.uppercase())
                },
                s.factor,
                s.patience,
                s.threshold,
                ReduceOnPlateau.ThresholdMode.valueOf(s.thresholdMode.uppercase()),
                s.cooldown,
                s.minValue,
            )
        }
    }

    companion object {
        /**
         * The learning rate ε the optimizer (a pipeline: its first phase) uses at its first step,
         * for the ill-conditioning monitor's first prediction before any epoch reported "lr";
         * NaN when there is none (groups, batch methods without a step length).
         */
        fun firstLearningRate(o: OptimizerSpec): Double {
            fun at0(x: ScheduleSpec): Double = runCatching { OptimizerCompiler(0).schedule(x, 1).at(0) }.getOrDefault(Double.NaN)
            return when (o) {
                is SgdSpec -> at0(o.lr)
                is MomentumSpec -> at0(o.lr)
                is NesterovBookSpec -> at0(o.lr)
                is AdagradSpec -> at0(o.lr)
                is RmspropSpec -> at0(o.lr)
                is RmspropNesterovSpec -> at0(o.lr)
                is AdamSpec -> at0(o.lr)
                is AdamWSpec -> at0(o.lr)
                is AdadeltaSpec -> at0(o.lr)
                is LbfgsSpec -> o.lr
                is NaturalGradientSpec -> o.lr
                is ChainSpec -> o.transforms.map { firstLearningRate(it) }.firstOrNull { !it.isNaN() } ?: Double.NaN
                is PipelineSpec -> o.phases.firstOrNull()?.let { firstLearningRate(it.optimizer) } ?: Double.NaN
                else -> Double.NaN
            }
        }
    }

    fun stop(s: StopSpec): StoppingRule = when (s) {
        is EpochsStop -> StoppingRule.epochs(s.epochs)
        is StepsStop -> StoppingRule.steps(s.steps)
        is TargetStop -> StoppingRule.target(s.metric, s.value, s.maxEpochs)
        is PlateauStop -> StoppingRule.plateau(s.metric, s.patience, s.minDelta, s.maxEpochs)
        is EarlyStoppingStop -> StoppingRule.earlyStopping(s.metric, s.patience, s.minDelta, s.maxEpochs)
    }
}
