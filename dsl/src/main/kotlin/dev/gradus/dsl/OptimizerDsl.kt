@file:JvmName("Specs")
@file:JvmMultifileClass

package dev.gradus.dsl

import java.util.function.Consumer

/*
 * Optimizers and transforms. Each factory with hyperparameters has two forms with the same
 * parameter names and defaults (torch.optim's): a numeric one, every hyperparameter a Double,
 * and a scheduled one, every hyperparameter a ScheduleSpec; the arguments' types pick one.
 *
 *     sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 5e-4)
 *     sgd(lr = stepDecay(0.1, factor = 0.5, every = 1000), momentum = sutskeverMomentum(0.99))
 *     sgd(lr = cosine(0.1, steps = 10_000), momentum = fixed(0.9))      // numbers among schedules
 *
 * The scheduled forms require the learning rate, so that a call with no argument (`adam()`)
 * is the numeric form.
 */

// ---- SGD and momentum --------------------------------------------------------------------------

/**
 * Stochastic gradient descent (Algorithm 8.1), torch.optim.SGD: [momentum] in the PyTorch form
 * (`b ← μb + (1 − dampening)g`, `θ ← θ − εb`), [nesterov] the Sutskever/PyTorch Nesterov form,
 * [weightDecay] coupled L2.
 */
@JvmOverloads
fun sgd(lr: Double, momentum: Double = 0.0, nesterov: Boolean = false, weightDecay: Double = 0.0, dampening: Double = 0.0): SgdSpec =
    SgdSpec(fixed(lr), fixed(momentum), nesterov, fixed(weightDecay), fixed(dampening))

/** [sgd] with scheduled hyperparameters. */
@JvmOverloads
fun sgd(
    lr: ScheduleSpec,
    momentum: ScheduleSpec = fixed(0.0),
    nesterov: Boolean = false,
    weightDecay: ScheduleSpec = fixed(0.0),
    dampening: ScheduleSpec = fixed(0.0),
): SgdSpec = SgdSpec(lr, momentum, nesterov, weightDecay, dampening)

/** Nesterov momentum in the Sutskever/PyTorch form: `sgd(lr, momentum, nesterov = true)`. */
@JvmOverloads
fun nesterov(lr: Double, momentum: Double = 0.9): SgdSpec = sgd(lr, momentum, nesterov = true)

/** [nesterov] with scheduled hyperparameters. */
@JvmOverloads
fun nesterov(lr: ScheduleSpec, momentum: ScheduleSpec = fixed(0.9)): SgdSpec = sgd(lr, momentum, nesterov = true)

/** SGD with momentum in the book's velocity form, Algorithm 8.2: `v ← αv − εg`, `θ ← θ + v`. */
@JvmOverloads
fun momentum(lr: Double, momentum: Double = 0.9): MomentumSpec = MomentumSpec(fixed(lr), fixed(momentum))

/** [momentum] with scheduled hyperparameters. */
@JvmOverloads
fun momentum(lr: ScheduleSpec, momentum: ScheduleSpec = fixed(0.9)): MomentumSpec = MomentumSpec(lr, momentum)

/** Nesterov momentum in the book's form, Algorithm 8.3: the gradient is taken at the interim point `θ + αv`. */
@JvmOverloads
fun nesterovBook(lr: Double, momentum: Double = 0.9): NesterovBookSpec = NesterovBookSpec(fixed(lr), fixed(momentum))

/** [nesterovBook] with scheduled hyperparameters. */
@JvmOverloads
fun nesterovBook(lr: ScheduleSpec, momentum: ScheduleSpec = fixed(0.9)): NesterovBookSpec = NesterovBookSpec(lr, momentum)

// ---- adaptive methods --------------------------------------------------------------------------

/** AdaGrad, Algorithm 8.4 (torch.optim.Adagrad). */
@JvmOverloads
fun adagrad(
    lr: Double = 1e-2,
    lrDecay: Double = 0.0,
    weightDecay: Double = 0.0,
    eps: Double = 1e-10,
    initialAccumulatorValue: Double = 0.0,
): AdagradSpec = AdagradSpec(fixed(lr), fixed(lrDecay), fixed(weightDecay), fixed(eps), initialAccumulatorValue)

/** [adagrad] with scheduled hyperparameters. */
@JvmOverloads
fun adagrad(
    lr: ScheduleSpec,
    lrDecay: ScheduleSpec = fixed(0.0),
    weightDecay: ScheduleSpec = fixed(0.0),
    eps: ScheduleSpec = fixed(1e-10),
    initialAccumulatorValue: Double = 0.0,
): AdagradSpec = AdagradSpec(lr, lrDecay, weightDecay, eps, initialAccumulatorValue)

/** RMSProp, Algorithm 8.5 (torch.optim.RMSprop): [alpha] is the decay rate ρ; [centered] and classic [momentum] optional. */
@JvmOverloads
fun rmsprop(
    lr: Double = 1e-2,
    alpha: Double = 0.99,
    eps: Double = 1e-8,
    momentum: Double = 0.0,
    centered: Boolean = false,
    weightDecay: Double = 0.0,
): RmspropSpec = RmspropSpec(fixed(lr), fixed(alpha), fixed(eps), fixed(momentum), centered, fixed(weightDecay))

/** [rmsprop] with scheduled hyperparameters. */
@JvmOverloads
fun rmsprop(
    lr: ScheduleSpec,
    alpha: ScheduleSpec = fixed(0.99),
    eps: ScheduleSpec = fixed(1e-8),
    momentum: ScheduleSpec = fixed(0.0),
    centered: Boolean = false,
    weightDecay: ScheduleSpec = fixed(0.0),
): RmspropSpec = RmspropSpec(lr, alpha, eps, momentum, centered, weightDecay)

/** RMSProp with Nesterov momentum, Algorithm 8.6 (book form): decay rate [rho], velocity [momentum]. */
@JvmOverloads
fun rmspropNesterov(lr: Double, rho: Double = 0.9, eps: Double = 1e-8, momentum: Double = 0.9, weightDecay: Double = 0.0): RmspropNesterovSpec =
    RmspropNesterovSpec(fixed(lr), fixed(rho), fixed(eps), fixed(momentum), fixed(weightDecay))

/** [rmspropNesterov] with scheduled hyperparameters. */
@JvmOverloads
fun rmspropNesterov(
    lr: ScheduleSpec,
    rho: ScheduleSpec = fixed(0.9),
    eps: ScheduleSpec = fixed(1e-8),
    momentum: ScheduleSpec = fixed(0.9),
    weightDecay: ScheduleSpec = fixed(0.0),
): RmspropNesterovSpec = RmspropNesterovSpec(lr, rho, eps, momentum, weightDecay)

/** Adam, Algorithm 8.7 (torch.optim.Adam), with bias correction, optionally AMSGrad; [weightDecay] is coupled L2. */
@JvmOverloads
fun adam(
    lr: Double = 1e-3,
    beta1: Double = 0.9,
    beta2: Double = 0.999,
    eps: Double = 1e-8,
    amsgrad: Boolean = false,
    weightDecay: Double = 0.0,
): AdamSpec = AdamSpec(fixed(lr), fixed(beta1), fixed(beta2), fixed(eps), amsgrad, fixed(weightDecay))

/** [adam] with scheduled hyperparameters: `adam(lr = cosine(1e-3, steps = 10_000))`. */
@JvmOverloads
fun adam(
    lr: ScheduleSpec,
    beta1: ScheduleSpec = fixed(0.9),
    beta2: ScheduleSpec = fixed(0.999),
    eps: ScheduleSpec = fixed(1e-8),
    amsgrad: Boolean = false,
    weightDecay: ScheduleSpec = fixed(0.0),
): AdamSpec = AdamSpec(lr, beta1, beta2, eps, amsgrad, weightDecay)

/** AdamW (torch.optim.AdamW): Adam with decoupled weight decay. */
@JvmOverloads
fun adamw(
    lr: Double = 1e-3,
    beta1: Double = 0.9,
    beta2: Double = 0.999,
    eps: Double = 1e-8,
    amsgrad: Boolean = false,
    weightDecay: Double = 1e-2,
): AdamWSpec = AdamWSpec(fixed(lr), fixed(beta1), fixed(beta2), fixed(eps), amsgrad, fixed(weightDecay))

/** [adamw] with scheduled hyperparameters. */
@JvmOverloads
fun adamw(
    lr: ScheduleSpec,
    beta1: ScheduleSpec = fixed(0.9),
    beta2: ScheduleSpec = fixed(0.999),
    eps: ScheduleSpec = fixed(1e-8),
    amsgrad: Boolean = false,
    weightDecay: ScheduleSpec = fixed(1e-2),
): AdamWSpec = AdamWSpec(lr, beta1, beta2, eps, amsgrad, weightDecay)

/** AdaDelta, Algorithm 8.8 (torch.optim.Adadelta). */
@JvmOverloads
fun adadelta(lr: Double = 1.0, rho: Double = 0.9, eps: Double = 1e-6, weightDecay: Double = 0.0): AdadeltaSpec =
    AdadeltaSpec(fixed(lr), fixed(rho), fixed(eps), fixed(weightDecay))

/** [adadelta] with scheduled hyperparameters. */
@JvmOverloads
fun adadelta(
    lr: ScheduleSpec,
    rho: ScheduleSpec = fixed(0.9),
    eps: ScheduleSpec = fixed(1e-6),
    weightDecay: ScheduleSpec = fixed(0.0),
): AdadeltaSpec = AdadeltaSpec(lr, rho, eps, weightDecay)

// ---- transforms combined with an optimizer through chain --------------------------------------

/** Clips each gradient element to `[−threshold, threshold]`. */
fun clipByValue(threshold: Double): ClipByValueSpec = ClipByValueSpec(fixed(threshold))

fun clipByValue(threshold: ScheduleSpec): ClipByValueSpec = ClipByValueSpec(threshold)

/** Rescales each gradient tensor to norm at most [maxNorm]. */
fun clipByNorm(maxNorm: Double): ClipByNormSpec = ClipByNormSpec(fixed(maxNorm))

fun clipByNorm(maxNorm: ScheduleSpec): ClipByNormSpec = ClipByNormSpec(maxNorm)

/** Rescales all gradients together to global norm at most [maxNorm], the remedy for cliffs (section 8.2.5). */
fun clipByGlobalNorm(maxNorm: Double): ClipByGlobalNormSpec = ClipByGlobalNormSpec(fixed(maxNorm))

fun clipByGlobalNorm(maxNorm: ScheduleSpec): ClipByGlobalNormSpec = ClipByGlobalNormSpec(maxNorm)

/**
 * Coupled L2 weight decay `g ← g + λθ`, chained before an optimizer:
 * `chain(weightDecay(5e-4), momentum(0.1))`. (The optimizers' own `weightDecay` arguments do the same.)
 */
fun weightDecay(weightDecay: Double): WeightDecaySpec = WeightDecaySpec(fixed(weightDecay))

fun weightDecay(weightDecay: ScheduleSpec): WeightDecaySpec = WeightDecaySpec(weightDecay)

/**
 * Annealed Gaussian gradient noise `g ← g + N(0, σ_k²)`, `σ_k² = eta / (1 + k)^gamma`
 * (Neelakantan et al. 2015). Its random stream is derived from the experiment's seed.
 */
@JvmOverloads
fun gradientNoise(eta: Double = 0.01, gamma: Double = 0.55): GradientNoiseSpec = GradientNoiseSpec(eta = eta, gamma = gamma)

/** Gradient noise with any schedule of the [variance] σ_k². */
fun gradientNoise(variance: ScheduleSpec): GradientNoiseSpec = GradientNoiseSpec(variance = variance)

/** Polyak averaging: the uniform average of the iterates from update [fromStep] on. Chain it last. */
@JvmOverloads
fun polyak(fromStep: Long = 0): PolyakSpec = PolyakSpec(fromStep)

/** Exponential moving average of the iterates with [decay]; [debias]: Optax's bias-corrected form. Chain it last. */
@JvmOverloads
fun ema(decay: Double = 0.999, debias: Boolean = false): EmaSpec = EmaSpec(fixed(decay), debias)

@JvmOverloads
fun ema(decay: ScheduleSpec, debias: Boolean = false): EmaSpec = EmaSpec(decay, debias)

/** [transforms] applied in order: `chain(clipByGlobalNorm(1.0), adam(lr = 1e-3), polyak(1000))`. */
fun chain(vararg transforms: OptimizerSpec): ChainSpec = ChainSpec(transforms.toList())

fun chain(transforms: List<OptimizerSpec>): ChainSpec = ChainSpec(transforms)

// ---- parameter groups and pipelines --------------------------------------------------------------

/** Zero updates: the optimizer of a frozen parameter group. */
fun freeze(): FreezeSpec = FreezeSpec

/**
 * Parameter groups by path pattern; each parameter goes to the first group that matches it,
 * the rest to [otherwise]:
 * ```
 * groups(otherwise = sgd(0.1, weightDecay = 1e-4)) {
 *     group("biases", "**.bias") { sgd(0.1) }
 *     group("first", "layers.0.*") { freeze() }
 * }
 * ```
 */
@JvmSynthetic
fun groups(otherwise: OptimizerSpec? = null, block: GroupsBuilder.() -> Unit): GroupsSpec =
    GroupsBuilder(otherwise).apply(block).build()

/** Java form of `groups(otherwise) { }`. */
fun groups(otherwise: OptimizerSpec?, block: Consumer<GroupsBuilder>): GroupsSpec =
    GroupsBuilder(otherwise).also { block.accept(it) }.build()

/**
 * An optimizer pipeline: phases run in order, each with its own optimizer and stopping rule.
 * Only as the experiment's `optimizer`, not inside a chain or group.
 * ```
 * pipeline {
 *     phase("adam", epochs = 5) { adam(1e-3) }
 *     phase("sgd", until = plateau("validation.loss", patience = 2, maxEpochs = 20)) { sgd(0.01, momentum = 0.9) }
 * }
 * ```
 */
@JvmSynthetic
fun pipeline(block: PipelineBuilder.() -> Unit): PipelineSpec = PipelineBuilder().apply(block).build()

/** Java form of `pipeline { }`. */
fun pipeline(block: Consumer<PipelineBuilder>): PipelineSpec = PipelineBuilder().also { block.accept(it) }.build()

/** A pipeline of phases built elsewhere. */
fun pipeline(vararg phases: PhaseSpec): PipelineSpec = PipelineSpec(phases.toList())

// ---- batch and second-order methods ----------------------------------------------------------
//
// Each is a whole optimizer: `optimizer = lbfgs()`, or a pipeline phase's optimizer
// `phase("lbfgs", epochs = 3) { lbfgs() }`; never inside chain(...) or groups { }. A phase runs it
// on the full training set (one method step per epoch) unless the phase sets a batch size.

/** L-BFGS as torch.optim.LBFGS (section 8.6.3): [maxIter] iterations per step, [history] pairs, [lineSearch] "strong-wolfe" or "none". */
@JvmOverloads
fun lbfgs(
    lr: Double = 1.0,
    history: Int = 10,
    maxIter: Int = 20,
    lineSearch: String = "strong-wolfe",
    maxEval: Int? = null,
    toleranceGrad: Double = 1e-7,
    toleranceChange: Double = 1e-9,
): LbfgsSpec = LbfgsSpec(lr, history, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearch)

/** BFGS with a dense inverse Hessian (section 8.6.3); small models only. */
@JvmOverloads
fun bfgs(lineSearch: String = "strong-wolfe", scaleInitial: Boolean = true, toleranceGrad: Double = 1e-10): BfgsSpec =
    BfgsSpec(lineSearch, scaleInitial, toleranceGrad)

/** Nonlinear conjugate gradient (section 8.6.2): [variant] "polak-ribiere" (PR+) or "fletcher-reeves". */
@JvmOverloads
fun conjugateGradient(
    variant: String = "polak-ribiere",
    lineSearch: String = "strong-wolfe",
    restartEvery: Int = 0,
    toleranceGrad: Double = 1e-10,
): ConjugateGradientSpec = ConjugateGradientSpec(variant, lineSearch, restartEvery, toleranceGrad)

/** Newton's method (section 8.6.1), [damping] "none", "fixed" or "levenberg-marquardt" from [alpha]; small models only. */
@JvmOverloads
fun newton(
    damping: String = "levenberg-marquardt",
    alpha: Double = 1e-3,
    curvature: String = "hessian",
    decrease: Double = 1.0 / 3,
    increase: Double = 10.0,
    minDamping: Double = 1e-12,
    maxTrials: Int = 10,
): NewtonSpec = NewtonSpec(damping, alpha, curvature, decrease, increase, minDamping, maxTrials)

/** Saddle-free Newton (Dauphin et al. 2014): |H| + αI, [damping] "fixed" or "levenberg-marquardt". */
@JvmOverloads
fun saddleFreeNewton(
    damping: String = "fixed",
    alpha: Double = 1e-3,
    decrease: Double = 1.0 / 3,
    increase: Double = 10.0,
    minDamping: Double = 1e-12,
    maxTrials: Int = 10,
): SaddleFreeNewtonSpec = SaddleFreeNewtonSpec(damping, alpha, decrease, increase, minDamping, maxTrials)

/** Hessian-free optimization (Martens 2010): CG on Gauss-Newton products, λ starting at [damping]. */
@JvmOverloads
fun hessianFree(
    damping: Double = 1.0,
    cgIterations: Int = 50,
    curvature: String = "gauss-newton",
    cgTolerance: Double = 1e-4,
    warmStart: Double = 0.95,
): HessianFreeSpec = HessianFreeSpec(damping, cgIterations, curvature, cgTolerance, warmStart)

/** Natural gradient: `θ ← θ − lr (F + λI)⁻¹ g`, [fisher] "model" or "empirical", [solver] "cg" or "explicit". */
@JvmOverloads
fun naturalGradient(
    lr: Double = 1.0,
    damping: Double = 1e-3,
    fisher: String = "model",
    solver: String = "cg",
    cgIterations: Int = 100,
    cgTolerance: Double = 1e-10,
): NaturalGradientSpec = NaturalGradientSpec(lr, damping, fisher, solver, cgIterations, cgTolerance)

/**
 * Block coordinate descent (section 8.7.2): each step sweeps [blocks] (lists of path globs) in
 * order, [innerSteps] steps of [inner] on one block at a time:
 * `blockCoordinate(blocks = listOf(listOf("layers.0.*"), listOf("layers.1.*")), inner = lbfgs(maxIter = 5))`.
 */
@JvmOverloads
fun blockCoordinate(blocks: List<List<String>>, inner: OptimizerSpec = lbfgs(), innerSteps: Int = 1): BlockCoordinateSpec =
    BlockCoordinateSpec(blocks, inner, innerSteps)
