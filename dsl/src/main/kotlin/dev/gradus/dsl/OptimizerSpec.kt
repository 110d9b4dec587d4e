package dev.gradus.dsl

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * How parameters are updated: an optimizer (chapter 8's algorithm boxes), a transform that
 * combines with one through [ChainSpec] (clipping, weight decay, noise, averaging), parameter
 * groups ([GroupsSpec], [FreezeSpec]), or, at the top level only, a [PipelineSpec] of phases.
 *
 * Every hyperparameter is a [ScheduleSpec] (a bare number in JSON is a constant); defaults are
 * torch.optim's. In JSON each spec carries its `"type"`, given below each class. The engine
 * objects are built by [CompiledExperiment.buildOptimizer] / [CompiledExperiment.buildPhases].
 */
@Serializable
sealed interface OptimizerSpec

private val ZERO: ScheduleSpec = ConstantSchedule(0.0)

// ---- optimizers ---------------------------------------------------------------------------

/**
 * `"sgd"`: torch.optim.SGD, Algorithm 8.1; with [momentum] the PyTorch form (`b ← μb + (1−d)g`,
 * `θ ← θ − εb`), with [nesterov] the Sutskever/PyTorch Nesterov form; [weightDecay] is coupled L2.
 */
@Serializable
@SerialName("sgd")
data class SgdSpec @JvmOverloads constructor(
    val lr: ScheduleSpec,
    val momentum: ScheduleSpec = ZERO,
    val nesterov: Boolean = false,
    val weightDecay: ScheduleSpec = ZERO,
    val dampening: ScheduleSpec = ZERO,
) : OptimizerSpec {
    /** Plain SGD with a constant learning rate. */
    constructor(lr: Double) : this(ConstantSchedule(lr))
}

/** `"momentum"`: SGD with momentum in the book's velocity form, Algorithm 8.2: `v ← αv − εg`, `θ ← θ + v`. */
@Serializable
@SerialName("momentum")
data class MomentumSpec @JvmOverloads constructor(
    val lr: ScheduleSpec,
    val momentum: ScheduleSpec = ConstantSchedule(0.9),
) : OptimizerSpec

/** `"nesterov-book"`: Nesterov momentum in the book's form, Algorithm 8.3 (gradient at the interim point `θ + αv`). */
@Serializable
@SerialName("nesterov-book")
data class NesterovBookSpec @JvmOverloads constructor(
    val lr: ScheduleSpec,
    val momentum: ScheduleSpec = ConstantSchedule(0.9),
) : OptimizerSpec

/** `"adagrad"`: torch.optim.Adagrad, Algorithm 8.4. */
@Serializable
@SerialName("adagrad")
data class AdagradSpec @JvmOverloads constructor(
    val lr: ScheduleSpec = ConstantSchedule(1e-2),
    val lrDecay: ScheduleSpec = ZERO,
    val weightDecay: ScheduleSpec = ZERO,
    val eps: ScheduleSpec = ConstantSchedule(1e-10),
    val initialAccumulatorValue: Double = 0.0,
) : OptimizerSpec

/** `"rmsprop"`: torch.optim.RMSprop, Algorithm 8.5; [alpha] is the book's decay rate ρ. */
@Serializable
@SerialName("rmsprop")
data class RmspropSpec @JvmOverloads constructor(
    val lr: ScheduleSpec = ConstantSchedule(1e-2),
    val alpha: ScheduleSpec = ConstantSchedule(0.99),
    val eps: ScheduleSpec = ConstantSchedule(1e-8),
    val momentum: ScheduleSpec = ZERO,
    val centered: Boolean = false,
    val weightDecay: ScheduleSpec = ZERO,
) : OptimizerSpec

/** `"rmsprop-nesterov"`: RMSProp with Nesterov momentum in the book's form, Algorithm 8.6. */
@Serializable
@SerialName("rmsprop-nesterov")
data class RmspropNesterovSpec @JvmOverloads constructor(
    val lr: ScheduleSpec,
    val rho: ScheduleSpec = ConstantSchedule(0.9),
    val eps: ScheduleSpec = ConstantSchedule(1e-8),
    val momentum: ScheduleSpec = ConstantSchedule(0.9),
    val weightDecay: ScheduleSpec = ZERO,
) : OptimizerSpec

/** `"adam"`: torch.optim.Adam, Algorithm 8.7, with bias correction; [weightDecay] is coupled L2. */
@Serializable
@SerialName("adam")
data class AdamSpec @JvmOverloads constructor(
    val lr: ScheduleSpec = ConstantSchedule(1e-3),
    val beta1: ScheduleSpec = ConstantSchedule(0.9),
    val beta2: ScheduleSpec = ConstantSchedule(0.999),
    val eps: ScheduleSpec = ConstantSchedule(1e-8),
    val amsgrad: Boolean = false,
    val weightDecay: ScheduleSpec = ZERO,
) : OptimizerSpec

/** `"adamw"`: torch.optim.AdamW: Adam with decoupled weight decay (Loshchilov & Hutter). */
@Serializable
@SerialName("adamw")
data class AdamWSpec @JvmOverloads constructor(
    val lr: ScheduleSpec = ConstantSchedule(1e-3),
    val beta1: ScheduleSpec = ConstantSchedule(0.9),
    val beta2: ScheduleSpec = ConstantSchedule(0.999),
    val eps: ScheduleSpec = ConstantSchedule(1e-8),
    val amsgrad: Boolean = false,
    val weightDecay: ScheduleSpec = ConstantSchedule(1e-2),
) : OptimizerSpec

/** `"adadelta"`: torch.optim.Adadelta, Algorithm 8.8. */
@Serializable
@SerialName("adadelta")
data class AdadeltaSpec @JvmOverloads constructor(
    val lr: ScheduleSpec = ConstantSchedule(1.0),
    val rho: ScheduleSpec = ConstantSchedule(0.9),
    val eps: ScheduleSpec = ConstantSchedule(1e-6),
    val weightDecay: ScheduleSpec = ZERO,
) : OptimizerSpec

// ---- transforms that combine with an optimizer through chain --------------------------------

/** `"clip-by-value"`: each gradient element clipped to `[−threshold, threshold]`. */
@Serializable
@SerialName("clip-by-value")
data class ClipByValueSpec(val threshold: ScheduleSpec) : OptimizerSpec

/** `"clip-by-norm"`: each gradient tensor rescaled to norm at most [maxNorm]. */
@Serializable
@SerialName("clip-by-norm")
data class ClipByNormSpec(val maxNorm: ScheduleSpec) : OptimizerSpec

/** `"clip-by-global-norm"`: all gradients rescaled together to global norm at most [maxNorm] (torch `clip_grad_norm_`). */
@Serializable
@SerialName("clip-by-global-norm")
data class ClipByGlobalNormSpec(val maxNorm: ScheduleSpec) : OptimizerSpec

/** `"weight-decay"`: coupled L2 weight decay, `g ← g + λθ`; chain it before the optimizer. */
@Serializable
@SerialName("weight-decay")
data class WeightDecaySpec(val weightDecay: ScheduleSpec) : OptimizerSpec

/**
 * `"gradient-noise"`: annealed Gaussian gradient noise (Neelakantan et al. 2015), variance
 * `σ_k² = eta / (1 + k)^gamma` (defaults 0.01 and 0.55), or any [variance] schedule (then
 * [eta] and [gamma] stay null). The noise seed is derived from the experiment seed: see
 * [CompiledExperiment].
 */
@Serializable
@SerialName("gradient-noise")
data class GradientNoiseSpec @JvmOverloads constructor(
    val eta: Double? = null,
    val gamma: Double? = null,
    val variance: ScheduleSpec? = null,
) : OptimizerSpec

/** `"polyak"`: uniform average of the iterates from update [fromStep] on (section 8.7.3); last in its chain. */
@Serializable
@SerialName("polyak")
data class PolyakSpec @JvmOverloads constructor(val fromStep: Long = 0) : OptimizerSpec

/** `"ema"`: exponential moving average of the iterates; [debias]: Optax's bias-corrected form. Last in its chain. */
@Serializable
@SerialName("ema")
data class EmaSpec @JvmOverloads constructor(
    val decay: ScheduleSpec = ConstantSchedule(0.999),
    val debias: Boolean = false,
) : OptimizerSpec

/**
 * `"chain"`: [transforms] applied in order, each seeing the previous one's output. Exactly one
 * member (or nested member) steps the parameters (an optimizer, [GroupsSpec] or [FreezeSpec]);
 * clipping, weight decay and noise come before it, averagers ([PolyakSpec], [EmaSpec]) last.
 */
@Serializable
@SerialName("chain")
data class ChainSpec(val transforms: List<OptimizerSpec>) : OptimizerSpec

// ---- parameter groups ---------------------------------------------------------------------

/**
 * One parameter group: the parameters whose path (`layers.0.weight`) matches any of
 * [patterns] (globs: `*` one segment, `**` any number, e.g. `**.bias`, `layers.0.*`), updated
 * by [optimizer].
 */
@Serializable
data class GroupSpec(val name: String, val patterns: List<String>, val optimizer: OptimizerSpec)

/**
 * `"groups"`: parameter groups (torch's param groups, Optax's `multi_transform`). Each parameter
 * belongs to the first group with a matching pattern; [otherwise] updates the parameters no
 * group claims (null: every parameter must be claimed). Every group must claim a parameter.
 */
@Serializable
@SerialName("groups")
data class GroupsSpec @JvmOverloads constructor(
    val groups: List<GroupSpec>,
    val otherwise: OptimizerSpec? = null,
) : OptimizerSpec

/** `"freeze"`: zero updates; the optimizer of a frozen group. */
@Serializable
@SerialName("freeze")
data object FreezeSpec : OptimizerSpec

// ---- pipelines ----------------------------------------------------------------------------

/**
 * `"pipeline"`: phases run in order on the same parameters, each with its own optimizer and
 * stopping rule (e.g. Adam for 5 epochs, then SGD with momentum until the validation loss
 * plateaus). Only at the top level (`optimizer`), never inside a chain, group or phase.
 */
@Serializable
@SerialName("pipeline")
data class PipelineSpec(val phases: List<PhaseSpec>) : OptimizerSpec

/**
 * One phase of a [PipelineSpec].
 *
 * @property carryState start from the previous phase's optimizer state (the optimizers must
 *   have the same structure) instead of a fresh one
 * @property batchSize the batch size as a function of the epoch within the phase; null: the
 *   training settings' ([TrainSpec.batchSizeSchedule], else [TrainSpec.batchSize])
 */
@Serializable
data class PhaseSpec @JvmOverloads constructor(
    val name: String,
    val optimizer: OptimizerSpec,
    val until: StopSpec,
    val carryState: Boolean = false,
    val batchSize: ScheduleSpec? = null,
)

/**
 * When a phase ends. Metric-driven rules read `train.loss`, `validation.loss` or
 * `validation.accuracy` (validation metrics need `train.validationFraction > 0`; test metrics
 * never drive a decision) and stop at [maxEpochs][TargetStop.maxEpochs] at the latest.
 */
@Serializable
sealed interface StopSpec

/** `"epochs"`: after [epochs] epochs. */
@Serializable
@SerialName("epochs")
data class EpochsStop(val epochs: Int) : StopSpec

/** `"steps"`: after [steps] optimizer steps (mid-epoch if need be). */
@Serializable
@SerialName("steps")
data class StepsStop(val steps: Long) : StopSpec

/** `"target"`: once [metric] reaches [value] (≥ for accuracies, ≤ for losses), or after [maxEpochs]. */
@Serializable
@SerialName("target")
data class TargetStop(val metric: String, val value: Double, val maxEpochs: Int) : StopSpec

/** `"plateau"`: when [metric] has not improved by more than [minDelta] for [patience] epochs, or after [maxEpochs]. */
@Serializable
@SerialName("plateau")
data class PlateauStop @JvmOverloads constructor(
    val metric: String,
    val patience: Int,
    val maxEpochs: Int,
    val minDelta: Double = 0.0,
) : StopSpec

/** `"early-stopping"`: a plateau of a validation metric that restores the parameters of the best epoch. */
@Serializable
@SerialName("early-stopping")
data class EarlyStoppingStop @JvmOverloads constructor(
    val metric: String,
    val patience: Int,
    val maxEpochs: Int,
    val minDelta: Double = 0.0,
) : StopSpec
