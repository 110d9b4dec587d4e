// A shared curriculum library for the Shapeset examples. It is not an experiment (no
// `.experiment.kts` extension): experiment scripts import it with
//     @file:Import("shared-curricula.kts")          // path relative to the importing script
// and then call its functions and use the curricula it registers, by name.

import dev.gradus.engine.curriculum.Curriculum
import dev.gradus.engine.curriculum.EpochContext
import dev.gradus.engine.curriculum.EpochPlan

/**
 * Presets as data (specs). They live in an object: Kotlin 2.3's compiler fails on calls to an
 * imported script's top-level functions that take parameters; members of an object (and
 * classes) work. Declare return types explicitly.
 */
object Presets {
    /** Paced by shape size (large shapes first), from [from] of the data to all of it over [epochs] epochs. */
    fun ramp(epochs: Long, from: Double = 0.3): CurriculumSpec = CurriculumSpec(
        sampling = paced(order = "hard-first"),      // difficulty = size, so "hard-first" starts from the large shapes
        difficulty = byMetadata("size"),
        pacing = linearPacing(from = from, epochs = epochs),
    )

    /** Self-paced learning, λ rising from [start] to [end] over [epochs] epochs. */
    fun selfPacedRamp(epochs: Long, start: Double = 0.9, end: Double = 2.0): CurriculumSpec = CurriculumSpec(
        sampling = selfPaced(lambda = linearDecay(start, epochs, end)),
    )
}

/**
 * A curriculum in code: the largest shapes first, a share growing linearly from 1/epochs to all
 * of the data by epoch [epochs] (1-based), reshuffled every epoch. Records `share` and `meanSize`.
 */
class MyRamp(private val epochs: Double) : Curriculum {
    init { require(epochs >= 1) { "my-ramp needs epochs >= 1, got $epochs" } }

    override fun plan(context: EpochContext): EpochPlan {
        val train = context.train()
        val size = train.metadata("size")
        val n = train.size()
        val share = minOf(1.0, context.epoch() / epochs)
        val k = maxOf(1, Math.round(share * n).toInt())
        val largestFirst = (0 until n).sortedByDescending { size[it] }
        val rows = largestFirst.take(k).toIntArray()
        val perm = context.random().permutation(k)
        val order = IntArray(k) { rows[perm[it]] }
        return EpochPlan(order, null, mapOf("share" to k.toDouble() / n, "meanSize" to order.map { size[it] }.average()))
    }

    override fun describe(): String = "my-ramp(epochs=$epochs)"
}

registerCurriculum("my-ramp") { args -> MyRamp(args["epochs"] ?: error("my-ramp needs the argument \"epochs\"")) }
