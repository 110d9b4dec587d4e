@file:JvmName("Specs")
@file:JvmMultifileClass

package dev.gradus.dsl

import dev.gradus.engine.schedule.ReduceOnPlateau

/*
 * Schedules (hyperparameters as functions of the step) and stopping rules of pipeline phases.
 * They only build data. Steps are 0-based optimizer steps of the transform that reads the
 * schedule; wrap a schedule in perEpoch(...) to index it by epoch instead. See ScheduleSpec for
 * how numbers and schedules mix in optimizer factories.
 */

/**
 * A schedule fixed at [value]: how a plain number joins schedules in the scheduled form of an
 * optimizer factory, e.g. `sgd(lr = cosine(0.1, steps = 10_000), momentum = fixed(0.9))`.
 * (Not named `constant`, which is the bias initializer.)
 */
fun fixed(value: Double): ConstantSchedule = ConstantSchedule(value)

/** `α_t = initial · factor^⌊t/every⌋` (torch StepLR): e.g. `stepDecay(0.1, factor = 0.5, every = 1000)`. */
fun stepDecay(initial: Double, factor: Double, every: Long): StepDecaySchedule = StepDecaySchedule(initial, factor, every)

/** `α_t = initial · factor^(number of milestones ≤ t)` (torch MultiStepLR): `multiStep(0.1, 0.1, 30_000, 60_000)`. */
fun multiStep(initial: Double, factor: Double, vararg milestones: Long): MultiStepSchedule =
    MultiStepSchedule(initial, factor, milestones.toList())

/** `α_t = initial · e^(−rate·t)`. */
fun exponential(initial: Double, rate: Double): ExponentialSchedule = ExponentialSchedule(initial, rate)

/** `α_t = initial / (1 + rate·t)`. */
fun inverseTime(initial: Double, rate: Double): InverseTimeSchedule = InverseTimeSchedule(initial, rate)

/** Book eq. 8.14: `ε_t = (1 − t/τ)ε₀ + (t/τ)ε_τ` for `t ≤ τ` ([steps]), [end] after. */
fun linearDecay(initial: Double, steps: Long, end: Double): LinearDecaySchedule = LinearDecaySchedule(initial, steps, end)

/** `α_t = (initial − end)·(1 − min(t, steps)/steps)^power + end`. */
@JvmOverloads
fun polynomial(initial: Double, steps: Long, end: Double = 0.0, power: Double = 1.0): PolynomialSchedule =
    PolynomialSchedule(initial, steps, end, power)

/** Cosine annealing from [initial] to [end] over [steps] steps: `cosine(1e-3, steps = 10_000)`. */
@JvmOverloads
fun cosine(initial: Double, steps: Long, end: Double = 0.0): CosineSchedule = CosineSchedule(initial, steps, end)

/** Linear warm-up from [start] over [steps] steps, then [after] (seeing the step counted from the warm-up's end). */
@JvmOverloads
fun warmup(after: ScheduleSpec, steps: Long, start: Double = 0.0): WarmupSchedule = WarmupSchedule(after, steps, start)

/** Linear warm-up from [start] to the constant [after] over [steps] steps. */
@JvmOverloads
fun warmup(after: Double, steps: Long, start: Double = 0.0): WarmupSchedule = WarmupSchedule(fixed(after), steps, start)

/**
 * Piecewise: `parts[i]` from `boundaries[i−1]` on, each seeing the step counted from its own
 * start: `join(listOf(linearDecay(0.1, 1000, 0.01), fixed(0.01)), 1000)`.
 */
fun join(parts: List<ScheduleSpec>, vararg boundaries: Long): JoinSchedule = JoinSchedule(parts, boundaries.toList())

/**
 * Sutskever et al. (2013)'s momentum schedule `μ_t = min(1 − 2^(−1−log₂(⌊t/every⌋+1)), max)`:
 * 0.5, 0.75, 0.83, ... per block of [every] steps, capped at [max].
 */
@JvmOverloads
fun sutskeverMomentum(max: Double, every: Long = 250): SutskeverMomentumSchedule = SutskeverMomentumSchedule(max, every)

/**
 * [ofEpoch] indexed by epoch (within the phase, from 0) instead of step: e.g.
 * `perEpoch(stepDecay(0.1, factor = 0.1, every = 30))` divides by 10 every 30 epochs. Needs a
 * fixed batch size (the steps per epoch are computed when the experiment is compiled).
 */
fun perEpoch(ofEpoch: ScheduleSpec): PerEpochSchedule = PerEpochSchedule(ofEpoch)

/**
 * [base] reduced by [factor] whenever [metric] has not improved (by more than [threshold]) for
 * more than [patience] evaluations, never below [minValue] (torch ReduceLROnPlateau). [mode]
 * null follows the metric (accuracies go up, losses down). A validation metric needs
 * `train { validationFraction = ... }`.
 */
@JvmOverloads
fun reduceOnPlateau(
    base: ScheduleSpec,
    metric: String = "validation.loss",
    factor: Double = 0.1,
    patience: Int = 10,
    threshold: Double = 1e-4,
    thresholdMode: ReduceOnPlateau.ThresholdMode = ReduceOnPlateau.ThresholdMode.REL,
    cooldown: Int = 0,
    minValue: Double = 0.0,
    mode: ReduceOnPlateau.Mode? = null,
): ReduceOnPlateauSchedule = ReduceOnPlateauSchedule(
    base = base,
    metric = metric,
    factor = factor,
    patience = patience,
    threshold = threshold,
    thresholdMode = thresholdMode.name.lowercase(),
    cooldown = cooldown,
    minValue = minValue,
    mode = mode?.name?.lowercase(),
)

/** [reduceOnPlateau] of the constant [base]: `adam(lr = reduceOnPlateau(1e-3, patience = 2))`. */
@JvmOverloads
fun reduceOnPlateau(
    base: Double,
    metric: String = "validation.loss",
    factor: Double = 0.1,
    patience: Int = 10,
    threshold: Double = 1e-4,
    thresholdMode: ReduceOnPlateau.ThresholdMode = ReduceOnPlateau.ThresholdMode.REL,
    cooldown: Int = 0,
    minValue: Double = 0.0,
    mode: ReduceOnPlateau.Mode? = null,
): ReduceOnPlateauSchedule =
    reduceOnPlateau(fixed(base), metric, factor, patience, threshold, thresholdMode, cooldown, minValue, mode)

// ---- stopping rules of pipeline phases --------------------------------------------------------

/** Stop a phase after [n] epochs. */
fun epochs(n: Int): EpochsStop = EpochsStop(n)

/** Stop a phase after [n] optimizer steps. */
fun steps(n: Long): StepsStop = StepsStop(n)

/** Stop once [metric] reaches [value] (≥ for accuracies, ≤ for losses), or after [maxEpochs]. */
fun target(metric: String, value: Double, maxEpochs: Int): TargetStop = TargetStop(metric, value, maxEpochs)

/** Stop when [metric] has not improved by more than [minDelta] for [patience] epochs, or after [maxEpochs]. */
@JvmOverloads
fun plateau(metric: String, patience: Int, maxEpochs: Int, minDelta: Double = 0.0): PlateauStop =
    PlateauStop(metric, patience, maxEpochs, minDelta)

/**
 * Early stopping (section 7.8): a plateau of the validation [metric] that restores the
 * parameters of the best epoch when the phase ends. Needs `train { validationFraction = ... }`.
 */
@JvmOverloads
fun earlyStopping(metric: String = "validation.loss", patience: Int, maxEpochs: Int, minDelta: Double = 0.0): EarlyStoppingStop =
    EarlyStoppingStop(metric, patience, maxEpochs, minDelta)

/** Curriculum pacing `min(1, start + increment·⌊t/every⌋)` of the epoch t: `stepPacing(0.25, 0.25, every = 2)`. */
fun stepPacing(start: Double, increment: Double, every: Long): StepPacingSchedule = StepPacingSchedule(start, increment, every)

/** Curriculum pacing growing linearly from [from] to [to] over [epochs]: `linearPacing(from = 0.2, epochs = 10)`. */
@JvmOverloads
fun linearPacing(from: Double, to: Double = 1.0, epochs: Long): LinearPacingSchedule = LinearPacingSchedule(from, to, epochs)

/** Platanios et al. 2019 competence `(t(1 − c₀^p)/T + c₀^p)^(1/p)`; the default p = 2 is their `√` competence. */
@JvmOverloads
fun competence(from: Double, epochs: Long, power: Double = 2.0): RootPacingSchedule = RootPacingSchedule(from, epochs, power)

/** Curriculum pacing `from·(1/from)^(t/epochs)`: geometric growth to all the data. */
fun geometricPacing(from: Double, epochs: Long): GeometricPacingSchedule = GeometricPacingSchedule(from, epochs)

/** Hacohen & Weinshall 2019 fixed exponential pacing `start·factor^⌊t/every⌋`. */
fun exponentialPacing(start: Double, factor: Double, every: Long): ExponentialPacingSchedule = ExponentialPacingSchedule(start, factor, every)
