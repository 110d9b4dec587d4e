package dev.gradus.dsl

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * A curriculum (Deep Learning §8.7.5): which examples each epoch trains on, in which order and
 * with which weights, as a difficulty measure, a pacing and a sampling strategy. Compiled into
 * the curricula library's strategies (`dev.gradus.curricula`).
 *
 * @property difficulty per-example score, higher is harder (not needed by [SelfPacedSampling],
 *   which ranks by the learner's own loss, nor by [CustomSampling])
 * @property pacing fraction of the data in use by epoch (0-based), for [PacedSampling] and
 *   [ReweightingSampling]; the current level for [StochasticMixingSampling]
 */
@Serializable
data class CurriculumSpec @JvmOverloads constructor(
    val sampling: SamplingSpec,
    val difficulty: DifficultySpec? = null,
    val pacing: ScheduleSpec? = null,
)

/** Where difficulty scores come from. */
@Serializable
sealed interface DifficultySpec

/** A metadata field of the data set (`"source"` of a concatenated data set, a Shapeset factor). */
@Serializable
@SerialName("metadata")
data class MetadataDifficulty(val key: String) : DifficultySpec

/** Uniform random scores from [seed]: the random-order baseline with the same pacing. */
@Serializable
@SerialName("random")
data class RandomDifficulty(val seed: Long = 0) : DifficultySpec

/**
 * A teacher: a recorded run's final model scores each example by its loss ([measure] "loss") or
 * by minus its margin ("margin"). [run] is resolved like `copyFrom` (a run directory or an
 * experiment's folder of runs, newest first); the teacher's own spec gives its architecture.
 */
@Serializable
@SerialName("teacher")
data class TeacherDifficulty @JvmOverloads constructor(val run: String, val measure: String = "loss") : DifficultySpec

/** How each epoch's examples are chosen. */
@Serializable
sealed interface SamplingSpec

/** The easiest `pacing` share, shuffled ([order] "easy-first"; "hard-first" is the anti-curriculum, "random" the baseline). */
@Serializable
@SerialName("paced")
data class PacedSampling(val order: String = "easy-first") : SamplingSpec

/** Baby steps: [buckets] buckets of rising difficulty, one more every [epochsPerBucket] epochs, cumulative. */
@Serializable
@SerialName("baby-steps")
data class BabyStepsSampling(val buckets: Int, val epochsPerBucket: Int = 1) : SamplingSpec

/** Bengio et al. 2009 shapes: the easiest level until epoch [epoch], then the rest (0: no curriculum). */
@Serializable
@SerialName("switch")
data class SwitchSampling(val epoch: Int) : SamplingSpec

/**
 * Zaremba & Sutskever 2014: integer difficulty levels; `pacing` gives the current level; [mode]
 * "naive" (current level only), "mix" (uniform up to it) or "combined" (mix, and uniform over
 * all levels a fifth of the time); [epochSize] examples per epoch.
 */
@Serializable
@SerialName("stochastic-mixing")
data class StochasticMixingSampling @JvmOverloads constructor(val mode: String = "combined", val epochSize: Int) : SamplingSpec

/** Bengio et al. 2009's reweighting form: all examples, those beyond the `pacing` share weighted by [hardWeight]. */
@Serializable
@SerialName("reweighting")
data class ReweightingSampling(val hardWeight: Double = 0.0) : SamplingSpec

/** Kumar et al. 2010: the examples whose current loss is below λ(epoch). */
@Serializable
@SerialName("self-paced")
data class SelfPacedSampling(val lambda: ScheduleSpec) : SamplingSpec

/** Matiisen et al. 2017: a bandit over the difficulty's integer tasks, picking the steepest learning progress. */
@Serializable
@SerialName("teacher-student")
data class TeacherStudentSampling @JvmOverloads constructor(val epochSize: Int, val window: Int = 5, val epsilon: Double = 0.1) : SamplingSpec

/** Streaming: chunks by the difficulty's arrival index, each epoch the current chunk plus a replay share of the past. */
@Serializable
@SerialName("replay")
data class ReplaySampling @JvmOverloads constructor(val epochsPerChunk: Int = 1, val replayShare: Double = 0.5) : SamplingSpec

/** A curriculum registered under [name] (curricula `CurriculumRegistry`: a shared script or a jar), with its arguments. */
@Serializable
@SerialName("custom")
data class CustomSampling @JvmOverloads constructor(val name: String, val args: Map<String, Double> = emptyMap()) : SamplingSpec

/**
 * A continuation method (Deep Learning §8.7.6): easier objectives first, annealed to the real
 * one. Each amount is a schedule of the epoch (0-based); null leaves it off.
 *
 * @property gaussianSigma σ of Gaussian smoothing `E_{θ'~N(θ,σ²I)} J(θ')`, estimated with [samples] perturbations per step
 * @property labelSmoothing ε of the targets `(1 − ε)·onehot + ε/K`
 * @property temperature the outputs are divided by it (anneal towards 1)
 * @property parameterNoise std of Gaussian noise added to the parameters after each update
 */
@Serializable
data class ContinuationSpec @JvmOverloads constructor(
    val gaussianSigma: ScheduleSpec? = null,
    val samples: Int = 4,
    val labelSmoothing: ScheduleSpec? = null,
    val temperature: ScheduleSpec? = null,
    val parameterNoise: ScheduleSpec? = null,
)
