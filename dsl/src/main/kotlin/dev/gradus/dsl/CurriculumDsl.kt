package dev.gradus.dsl

import java.util.function.Consumer

/**
 * `curriculum { difficulty = byMetadata("source"); pacing = linearPacing(from = 0.2, epochs = 10); sampling = paced() }`.
 * Builds a [CurriculumSpec]; see there and the strategy factories ([paced], [babySteps],
 * [switchAt], [stochasticMixing], [reweighting], [selfPaced], [teacherStudent], [replay], [custom]).
 */
@GradusDsl
class CurriculumBuilder {
    /** Per-example difficulty, higher is harder: [byMetadata], [randomDifficulty], [teacher]. */
    var difficulty: DifficultySpec? = null

    /** Fraction of the data in use (or the current level) by epoch: [linearPacing], [competence], [stepPacing], ... */
    var pacing: ScheduleSpec? = null

    /** The strategy. Required. */
    var sampling: SamplingSpec? = null

    fun build(): CurriculumSpec = CurriculumSpec(
        sampling ?: throw InvalidSpecException(listOf(SpecProblem("curriculum.sampling", "is not set (e.g. sampling = paced())")), null),
        difficulty,
        pacing,
    )
}

/** `continuation { gaussianSmoothing(sigma = linearDecay(0.5, 20, 0.0), samples = 4) }`; see [ContinuationSpec]. */
@GradusDsl
class ContinuationBuilder {
    private var spec = ContinuationSpec()

    /** Gaussian smoothing of the objective with std [sigma] (by epoch), [samples] perturbations per step. */
    @JvmOverloads
    fun gaussianSmoothing(sigma: ScheduleSpec, samples: Int = 4) {
        spec = spec.copy(gaussianSigma = sigma, samples = samples)
    }

    /** Label smoothing ε (by epoch), annealed towards 0. */
    fun labelSmoothing(epsilon: ScheduleSpec) {
        spec = spec.copy(labelSmoothing = epsilon)
    }

    /** Softmax temperature (by epoch), annealed towards 1. */
    fun temperature(t: ScheduleSpec) {
        spec = spec.copy(temperature = t)
    }

    /** Gaussian parameter noise of this std (by epoch) after each update, annealed towards 0. */
    fun parameterNoise(std: ScheduleSpec) {
        spec = spec.copy(parameterNoise = std)
    }

    fun build(): ContinuationSpec = spec
}

/** Difficulty from a metadata field of the data set, e.g. `"source"` of [concatData]. */
fun byMetadata(key: String): DifficultySpec = MetadataDifficulty(key)

/** Random difficulty (the random-order baseline under the same pacing). */
@JvmOverloads
fun randomDifficulty(seed: Long = 0): DifficultySpec = RandomDifficulty(seed)

/** Difficulty from a recorded run's model: its loss on each example ([measure] "loss") or minus its margin ("margin"). */
@JvmOverloads
fun teacher(run: String, measure: String = "loss"): DifficultySpec = TeacherDifficulty(run, measure)

/** The easiest `pacing` share each epoch, shuffled; [order] "hard-first" is the anti-curriculum, "random" the baseline. */
@JvmOverloads
fun paced(order: String = "easy-first"): SamplingSpec = PacedSampling(order)

/** Buckets of rising difficulty, one more every [epochsPerBucket] epochs (baby steps). */
@JvmOverloads
fun babySteps(buckets: Int, epochsPerBucket: Int = 1): SamplingSpec = BabyStepsSampling(buckets, epochsPerBucket)

/** The easiest level through epoch [epoch], the rest afterwards (Bengio et al. 2009's shapes). */
fun switchAt(epoch: Int): SamplingSpec = SwitchSampling(epoch)

/** Zaremba & Sutskever 2014's naive / mix / combined strategies over integer levels; `pacing` is the current level. */
@JvmOverloads
fun stochasticMixing(mode: String = "combined", epochSize: Int): SamplingSpec = StochasticMixingSampling(mode, epochSize)

/** Every example every epoch, those beyond the `pacing` share weighted by [hardWeight]. */
@JvmOverloads
fun reweighting(hardWeight: Double = 0.0): SamplingSpec = ReweightingSampling(hardWeight)

/** Self-paced learning: the examples whose current loss is below [lambda] (by epoch). */
fun selfPaced(lambda: ScheduleSpec): SamplingSpec = SelfPacedSampling(lambda)

/** A teacher-student bandit over the difficulty's integer tasks (Matiisen et al. 2017). */
@JvmOverloads
fun teacherStudent(epochSize: Int, window: Int = 5, epsilon: Double = 0.1): SamplingSpec = TeacherStudentSampling(epochSize, window, epsilon)

/** Streaming chunks (the difficulty is the arrival index) with a replay share of all past examples. */
@JvmOverloads
fun replay(epochsPerChunk: Int = 1, replayShare: Double = 0.5): SamplingSpec = ReplaySampling(epochsPerChunk, replayShare)

/** A curriculum registered by name in the curricula `CurriculumRegistry`, with numeric arguments. */
fun custom(name: String, vararg args: Pair<String, Double>): SamplingSpec = CustomSampling(name, args.toMap())

/** The training examples of [parts] one after the other (metadata `source`), tested on part [testFrom] (-1: the last). */
@JvmOverloads
fun concatData(vararg parts: DataSpec, testFrom: Int = -1): DataSpec = ConcatDataSpec(parts.toList(), testFrom)

/**
 * Defines a reusable curriculum under [name] for `custom(name, ...)`: [factory] makes a fresh
 * engine `Curriculum` per run from the numeric arguments. Define it once in a shared script (or
 * a jar's `CurriculumFactory` service) and use it from any experiment; redefining replaces it.
 */
fun registerCurriculum(name: String, factory: (Map<String, Double>) -> dev.gradus.engine.curriculum.Curriculum) {
    dev.gradus.curricula.CurriculumRegistry.shared().define(name) { args -> factory(args) }
}
