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

// ---- batch and second-order methods (section 8.5-8.7) ----------------------------------------

/**
 * A batch method: it needs the objective itself (values at trial points, curvature-vector
 * products), not just a gradient, so it is a whole optimizer (the top level, a pipeline phase's
 * optimizer, or [BlockCoordinateSpec.inner]) and never a member of a chain or a parameter group.
 * Each compiles to an engine `dev.gradus.engine.optim.batch.BatchMethod`; the trainer runs it on
 * the whole training set (one method step per epoch), or on minibatches when the phase sets a
 * batch size (recorded with a warning in the phase's stop reason).
 *
 * Line searches (`lineSearch`): `"strong-wolfe"` (Nocedal & Wright Alg. 3.5/3.6, torch's),
 * `"armijo"` (backtracking), `"exact"` (secant steps on φ', for near-quadratic objectives) or
 * `"none"` (fixed step).
 */
@Serializable
sealed interface BatchMethodSpec : OptimizerSpec

/**
 * `"lbfgs"`: L-BFGS (section 8.6.3) as torch.optim.LBFGS: [maxIter] iterations per step (per
 * epoch in a full-batch phase), at most [maxEval] function evaluations (null: `maxIter * 5 / 4`),
 * [history] curvature pairs, step [lr], tolerances [toleranceGrad] and [toleranceChange].
 */
@Serializable
@SerialName("lbfgs")
data class LbfgsSpec @JvmOverloads constructor(
    val lr: Double = 1.0,
    val history: Int = 10,
    val maxIter: Int = 20,
    val maxEval: Int? = null,
    val toleranceGrad: Double = 1e-7,
    val toleranceChange: Double = 1e-9,
    val lineSearch: String = "strong-wolfe",
) : BatchMethodSpec

/** `"bfgs"`: BFGS with a dense inverse-Hessian approximation (section 8.6.3; n² memory, small models only). */
@Serializable
@SerialName("bfgs")
data class BfgsSpec @JvmOverloads constructor(
    val lineSearch: String = "strong-wolfe",
    val scaleInitial: Boolean = true,
    val toleranceGrad: Double = 1e-10,
) : BatchMethodSpec

/**
 * `"conjugate-gradient"`: nonlinear conjugate gradient (section 8.6.2), [variant]
 * `"polak-ribiere"` (PR+, the default) or `"fletcher-reeves"`, restarted every [restartEvery]
 * steps (0: every n, the number of parameters), strong Wolfe with c2 = 0.1 by default.
 */
@Serializable
@SerialName("conjugate-gradient")
data class ConjugateGradientSpec @JvmOverloads constructor(
    val variant: String = "polak-ribiere",
    val lineSearch: String = "strong-wolfe",
    val restartEvery: Int = 0,
    val toleranceGrad: Double = 1e-10,
) : BatchMethodSpec

/**
 * `"newton"`: Newton's method (section 8.6.1) on [curvature] (`"hessian"` or `"gauss-newton"`),
 * n×n and a Cholesky solve per step (small models only). [damping]: `"none"` (α = 0, plain
 * Newton), `"fixed"` (H + αI, α = [alpha]) or `"levenberg-marquardt"` (α from [alpha], ×[decrease]
 * after a step that lowers J, ×[increase] and retried, at most [maxTrials] times, after one that
 * does not; never below [minDamping]).
 */
@Serializable
@SerialName("newton")
data class NewtonSpec @JvmOverloads constructor(
    val damping: String = "levenberg-marquardt",
    val alpha: Double = 1e-3,
    val curvature: String = "hessian",
    val decrease: Double = 1.0 / 3,
    val increase: Double = 10.0,
    val minDamping: Double = 1e-12,
    val maxTrials: Int = 10,
) : BatchMethodSpec

/**
 * `"saddle-free-newton"`: Newton on |H| (Dauphin et al. 2014): `Δθ = −Σ qᵢᵀg / (|λᵢ| + α) qᵢ`, so
 * directions of negative curvature are followed downhill. [damping] `"fixed"` or
 * `"levenberg-marquardt"`, the other fields as [NewtonSpec].
 */
@Serializable
@SerialName("saddle-free-newton")
data class SaddleFreeNewtonSpec @JvmOverloads constructor(
    val damping: String = "fixed",
    val alpha: Double = 1e-3,
    val decrease: Double = 1.0 / 3,
    val increase: Double = 10.0,
    val minDamping: Double = 1e-12,
    val maxTrials: Int = 10,
) : BatchMethodSpec

/**
 * `"hessian-free"`: truncated Newton (Martens 2010): at most [cgIterations] conjugate-gradient
 * iterations on `(C + λI) d = −g` with curvature products only ([curvature] `"gauss-newton"`, the
 * default, or `"hessian"`), relative tolerance [cgTolerance], warm-started from [warmStart] × the
 * previous solution; λ starts at [damping] and adapts by the Levenberg–Marquardt rule.
 */
@Serializable
@SerialName("hessian-free")
data class HessianFreeSpec @JvmOverloads constructor(
    val damping: Double = 1.0,
    val cgIterations: Int = 50,
    val curvature: String = "gauss-newton",
    val cgTolerance: Double = 1e-4,
    val warmStart: Double = 0.95,
) : BatchMethodSpec

/**
 * `"natural-gradient"`: `θ ← θ − lr (F + λI)⁻¹ g` (Amari 1998) with [fisher]
 * `"model"` (the model's predictive Fisher) or `"empirical"`, [damping] λ, solved by [solver]
 * `"cg"` (at most [cgIterations], relative tolerance [cgTolerance]) or `"explicit"` (tiny models).
 */
@Serializable
@SerialName("natural-gradient")
data class NaturalGradientSpec @JvmOverloads constructor(
    val lr: Double = 1.0,
    val damping: Double = 1e-3,
    val fisher: String = "model",
    val solver: String = "cg",
    val cgIterations: Int = 100,
    val cgTolerance: Double = 1e-10,
) : BatchMethodSpec

/**
 * `"block-coordinate"`: block coordinate descent (section 8.7.2): one step is a sweep over
 * [blocks] in order (each a list of path globs, e.g. `["layers.0.*"]`), minimizing over one block
 * with the others fixed by [innerSteps] steps of [inner] (a batch method, or a first-order
 * optimizer stepping on the objective's gradient). A parameter in no block never changes.
 */
@Serializable
@SerialName("block-coordinate")
data class BlockCoordinateSpec @JvmOverloads constructor(
    val blocks: List<List<String>>,
    val inner: OptimizerSpec,
    val innerSteps: Int = 1,
) : BatchMethodSpec
