package dev.gradus.dsl

import io.kotest.property.Arb
import io.kotest.property.arbitrary.ArbitraryBuilderContext
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.long
import io.kotest.property.arbitrary.numericDouble

/**
 * Random optimizer, schedule and stopping-rule specs that validation must accept, for a spec
 * that holds out validation data or not ([hasValidation]) and whose training part has [kept]
 * examples. Each hyperparameter is a number or a schedule whose values stay in its range.
 */
class OptimizerArbs(private val hasValidation: Boolean, private val kept: Int) {
    private suspend fun ArbitraryBuilderContext.d(lo: Double, hi: Double): Double = Arb.numericDouble(lo, hi).bind()
    private suspend fun ArbitraryBuilderContext.steps(): Long = Arb.long(1L..10_000L).bind()
    private suspend fun ArbitraryBuilderContext.coin(p: Double = 0.5): Boolean = d(0.0, 1.0) < p

    /** The metrics a decision may use in this spec. */
    val metrics: List<String> = if (hasValidation) listOf("train.loss", "validation.loss", "validation.accuracy") else listOf("train.loss")

    /**
     * A valid schedule whose values lie in `[lo, hi]` (decays towards 0 included: they never
     * reach it). [perEpoch]: whether a per-epoch schedule may appear (a fixed batch size).
     */
    suspend fun ArbitraryBuilderContext.schedule(lo: Double, hi: Double, perEpoch: Boolean, depth: Int = 2): ScheduleSpec {
        val kinds = 9 + (if (depth > 0) 4 else 0)
        return when (Arb.int(0 until kinds).bind()) {
            0 -> fixed(d(lo, hi))
            1 -> stepDecay(d(lo, hi), d(0.1, 1.0), Arb.long(1L..1000L).bind())
            2 -> {
                val n = Arb.int(0..3).bind()
                val ms = (1..n).runningFold(0L) { acc, _ -> acc + Arb.long(1L..500L).bind() }.drop(1)
                multiStep(d(lo, hi), d(0.1, 1.0), *ms.toLongArray())
            }
            3 -> exponential(d(lo, hi), d(0.0, 0.1))
            4 -> inverseTime(d(lo, hi), d(0.0, 0.1))
            5 -> linearDecay(d(lo, hi), steps(), d(lo, hi))
            6 -> polynomial(d(lo, hi), steps(), d(lo, hi), d(0.5, 3.0))
            7 -> cosine(d(lo, hi), steps(), d(lo, hi))
            8 -> if (hi <= 1 && lo <= 0.5) sutskeverMomentum(d(lo, hi), Arb.long(1L..500L).bind()) else fixed(hi)
            9 -> warmup(schedule(lo, hi, perEpoch, depth - 1), Arb.long(0L..1000L).bind(), d(lo, hi))
            10 -> {
                val parts = List(Arb.int(1..3).bind()) { schedule(lo, hi, perEpoch, depth - 1) }
                val bounds = (1 until parts.size).runningFold(0L) { acc, _ -> acc + Arb.long(1L..1000L).bind() }.drop(1)
                join(parts, *bounds.toLongArray())
            }
            11 -> if (perEpoch) perEpoch(schedule(lo, hi, perEpoch = false, depth = depth - 1)) else fixed(lo)
            else -> reduceOnPlateau(
                schedule(lo, hi, perEpoch, depth - 1),
                metric = Arb.element(metrics).bind(),
                factor = d(0.05, 0.95),
                patience = Arb.int(0..10).bind(),
                cooldown = Arb.int(0..3).bind(),
                minValue = if (lo == 0.0) 0.0 else d(0.0, lo),
            )
        }
    }

    /** A number or a schedule in `[lo, hi]`; a number is at least [minConstant]. */
    private suspend fun ArbitraryBuilderContext.hyper(lo: Double, hi: Double, perEpoch: Boolean, minConstant: Double = lo): ScheduleSpec =
        if (coin(0.6)) {
            fixed(d(minConstant, hi))
        } else {
            // a schedule that happens to be a constant must be a valid constant
            schedule(lo, hi, perEpoch).let { if (it is ConstantSchedule && it.value < minConstant) fixed(minConstant) else it }
        }

    private suspend fun ArbitraryBuilderContext.lr(p: Boolean) = hyper(0.0, 1.0, p, minConstant = 1e-6)
    private suspend fun ArbitraryBuilderContext.unit(p: Boolean) = hyper(0.0, 0.99, p)
    private suspend fun ArbitraryBuilderContext.small(p: Boolean) = hyper(0.0, 0.01, p)
    private suspend fun ArbitraryBuilderContext.positive(p: Boolean) = hyper(0.01, 10.0, p)

    /** One of the optimizers (algorithm boxes 8.1–8.8 and torch's variants) with valid hyperparameters. */
    suspend fun ArbitraryBuilderContext.base(p: Boolean): OptimizerSpec = when (Arb.int(0..8).bind()) {
        0 -> {
            val momentum = unit(p)
            // by value: -0.0 is zero momentum too (the data classes differ)
            val nesterov = !(momentum is ConstantSchedule && momentum.value == 0.0) && coin()
            SgdSpec(lr(p), momentum, nesterov, small(p), if (nesterov) fixed(0.0) else hyper(0.0, 1.0, p))
        }
        1 -> MomentumSpec(lr(p), unit(p))
        2 -> NesterovBookSpec(lr(p), unit(p))
        3 -> AdagradSpec(lr(p), small(p), small(p), small(p), d(0.0, 1.0))
        4 -> RmspropSpec(lr(p), unit(p), small(p), unit(p), Arb.boolean().bind(), small(p))
        5 -> RmspropNesterovSpec(lr(p), unit(p), small(p), if (coin()) fixed(d(0.1, 0.99)) else schedule(0.0, 0.99, p).let { if (it == fixed(0.0)) fixed(0.5) else it }, small(p))
        6 -> AdamSpec(lr(p), unit(p), unit(p), small(p), Arb.boolean().bind(), small(p))
        7 -> AdamWSpec(lr(p), unit(p), unit(p), small(p), Arb.boolean().bind(), small(p))
        else -> AdadeltaSpec(lr(p), hyper(0.0, 1.0, p), small(p), small(p))
    }

    private suspend fun ArbitraryBuilderContext.modifier(p: Boolean): OptimizerSpec = when (Arb.int(0..4).bind()) {
        0 -> ClipByValueSpec(positive(p))
        1 -> ClipByNormSpec(positive(p))
        2 -> ClipByGlobalNormSpec(positive(p))
        3 -> WeightDecaySpec(small(p))
        else -> if (coin()) gradientNoise(d(0.0, 1.0), d(0.0, 1.0)) else gradientNoise(variance = small(p))
    }

    private suspend fun ArbitraryBuilderContext.averager(p: Boolean): OptimizerSpec =
        if (coin()) polyak(Arb.long(0L..1000L).bind()) else EmaSpec(hyper(0.0, 1.0, p), Arb.boolean().bind())

    /** An optimizer for one phase: an optimizer, a chain around one, or parameter groups. */
    suspend fun ArbitraryBuilderContext.optimizer(p: Boolean, depth: Int = 1): OptimizerSpec = when (Arb.int(0..5).bind()) {
        0, 1, 2 -> base(p)
        3, 4 -> {
            val before = List(Arb.int(0..2).bind()) { modifier(p) }
            val core = if (depth > 0 && coin(0.2)) optimizer(p, depth - 1) else base(p)
            val after = if (OptimizerChecks.hasAverager(core)) emptyList() else List(Arb.int(0..1).bind()) { ClipByGlobalNormSpec(positive(p)) }
            val averagers = List(Arb.int(0..2).bind()) { averager(p) }
            ChainSpec(before + core + after + averagers)
        }
        else -> GroupsSpec(
            listOf(
                GroupSpec("biases", listOf("**.bias"), base(p)),
                GroupSpec("first", listOf("layers.0.*"), if (coin()) FreezeSpec else base(p)),
            ),
            otherwise = if (coin(0.8)) base(p) else ChainSpec(listOf(modifier(p), base(p))),
        )
    }

    /** A batch size by epoch: at least 1. */
    suspend fun ArbitraryBuilderContext.batchSize(): ScheduleSpec = when (Arb.int(0..3).bind()) {
        0 -> fixed(Arb.int(1..kept).bind().toDouble())
        1 -> stepDecay(d(1.0, 256.0), d(1.0, 2.0), Arb.long(1L..10L).bind())
        2 -> linearDecay(d(1.0, 256.0), Arb.long(1L..20L).bind(), d(1.0, 256.0))
        else -> warmup(fixed(d(1.0, 256.0)), Arb.long(0L..5L).bind(), d(1.0, 256.0))
    }

    suspend fun ArbitraryBuilderContext.stop(): StopSpec = when (Arb.int(0..4).bind()) {
        0 -> epochs(Arb.int(1..10).bind())
        1 -> steps(Arb.long(1L..100_000L).bind())
        2 -> {
            val metric = Arb.element(metrics).bind()
            target(metric, if (metric.endsWith("accuracy")) d(0.0, 1.0) else d(0.0, 5.0), Arb.int(1..50).bind())
        }
        3 -> plateau(Arb.element(metrics).bind(), Arb.int(1..10).bind(), Arb.int(1..50).bind(), d(0.0, 0.1))
        else -> if (hasValidation) {
            earlyStopping(Arb.element("validation.loss", "validation.accuracy").bind(), Arb.int(1..10).bind(), Arb.int(1..50).bind())
        } else {
            epochs(1)
        }
    }

    /** A pipeline of 1–3 phases; a phase that carries state repeats the previous phase's optimizer. */
    suspend fun ArbitraryBuilderContext.pipeline(trainBatch: ScheduleSpec?): PipelineSpec {
        val phases = mutableListOf<PhaseSpec>()
        var previousFixed = true
        repeat(Arb.int(1..3).bind()) { i ->
            val batch = if (coin(0.3)) batchSize() else null
            val effective = batch ?: trainBatch
            val fixedBatch = effective == null || effective is ConstantSchedule
            // the previous optimizer may hold per-epoch schedules, which need a fixed batch size
            val carry = i > 0 && (fixedBatch || !previousFixed) && coin(0.3)
            val opt = if (carry) phases.last().optimizer else optimizer(fixedBatch)
            if (!carry) previousFixed = fixedBatch
            phases += PhaseSpec("phase-$i", opt, stop(), carry, batch)
        }
        return PipelineSpec(phases)
    }
}
