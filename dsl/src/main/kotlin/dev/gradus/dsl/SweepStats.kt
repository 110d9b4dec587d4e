package dev.gradus.dsl

import kotlin.math.sqrt

/** A claim read a statistic that has too few finished trials behind it: the claim is undecided (null), not false. */
class MissingSweepDataException(message: String) : RuntimeException(message)

/**
 * What a sweep's claims read: per configuration, the measurements of its finished trials
 * (`test.accuracy`, `test.loss`, `train.loss`, `validation.*`, or a code trial's named values).
 * Every (quantity, configuration) pair a claim reads is remembered in [reads], so the verdict
 * can state the numbers it rests on. A statistic with no value behind it (nothing finished, or a
 * quantity the trials did not report) throws [MissingSweepDataException], so is [std] and
 * [pooledStd] with fewer than two values: the claim is then undecided. An unknown configuration
 * is an [IllegalArgumentException] (a mistake in the claim, found before any trial runs).
 *
 * [std] is the sample standard deviation (n − 1).
 */
class SweepStats(
    /** Configuration → its finished trials' measurements, in the sweep's configuration order. */
    private val data: Map<String, List<Map<String, Double>>>,
) {
    private val read = LinkedHashSet<Pair<String, String>>()
    private val notes = LinkedHashMap<String, String>()

    /** The (quantity, configuration) pairs read so far, in the order first read. */
    val reads: List<Pair<String, String>> get() = read.toList()

    val configurations: List<String> get() = data.keys.toList()

    /** The values of [quantity] over [configuration]'s finished trials (seed order); empty when none. */
    fun values(quantity: String, configuration: String): List<Double> {
        val trials = data[configuration] ?: throw IllegalArgumentException(
            "claim reads configuration '$configuration', but the sweep has ${data.keys.joinToString(", ") { "'$it'" }}",
        )
        read += quantity to configuration
        return trials.mapNotNull { it[quantity] }
    }

    fun n(quantity: String, configuration: String): Int = values(quantity, configuration).size

    fun mean(quantity: String, configuration: String): Double = nonEmpty(quantity, configuration, 1).average()

    fun std(quantity: String, configuration: String): Double = sampleStd(nonEmpty(quantity, configuration, 2))

    fun median(quantity: String, configuration: String): Double = median(nonEmpty(quantity, configuration, 1))

    fun min(quantity: String, configuration: String): Double = nonEmpty(quantity, configuration, 1).min()

    fun max(quantity: String, configuration: String): Double = nonEmpty(quantity, configuration, 1).max()

    /** `sqrt(Σ (nᵢ − 1) sᵢ² / Σ (nᵢ − 1))` over [configurations]: the standard deviation they share. */
    fun pooledStd(quantity: String, vararg configurations: String): Double {
        require(configurations.isNotEmpty()) { "pooledStd needs at least one configuration" }
        val groups = configurations.map { nonEmpty(quantity, it, 1) }
        val dof = groups.sumOf { it.size - 1 }
        if (dof == 0) throw MissingSweepDataException("pooledStd of $quantity over ${configurations.joinToString()}: needs a configuration with ≥ 2 finished trials")
        return sqrt(groups.sumOf { g -> val m = g.average(); g.sumOf { (it - m) * (it - m) } } / dof)
    }

    /**
     * States a number the claim derives from the statistics (a standard error, a ratio, a chosen
     * setting) in its verdict, after the values it read: `s.note("SE of d", se)` returns `se`, so it
     * can stand inside the predicate. A later note under the same label replaces the earlier one.
     */
    fun note(label: String, value: Double): Double {
        notes[label] = fmt(value)
        return value
    }

    /** As [note] for a derived value that is not a number (a chosen configuration, say). */
    fun note(label: String, value: String): String {
        notes[label] = value
        return value
    }

    /**
     * `mean ± std (n)` of each pair read so far, e.g. `test.accuracy of plain: 0.8812 ± 0.0042 (5)`,
     * then each [note] as `label = value`.
     */
    fun describeReads(): String = (
        read.map { (q, c) ->
            val v = data[c].orEmpty().mapNotNull { it[q] }
            "$q of $c: " + when (v.size) {
                0 -> "no finished trial"
                1 -> "${fmt(v[0])} (1)"
                else -> "${fmt(v.average())} ± ${fmt(sampleStd(v))} (${v.size})"
            }
        } + notes.map { (label, value) -> "$label = $value" }
        ).joinToString("; ")

    private fun nonEmpty(quantity: String, configuration: String, atLeast: Int): List<Double> {
        val v = values(quantity, configuration)
        if (v.size < atLeast) {
            throw MissingSweepDataException(
                "$quantity of $configuration: ${v.size} finished trial${if (v.size == 1) "" else "s"}" + if (atLeast > 1) ", needs $atLeast" else "",
            )
        }
        return v
    }

    companion object {
        /** Sample standard deviation (n − 1); 0 for a single value. */
        @JvmStatic
        fun sampleStd(xs: List<Double>): Double {
            if (xs.size < 2) return 0.0
            val m = xs.average()
            return sqrt(xs.sumOf { (it - m) * (it - m) } / (xs.size - 1))
        }

        @JvmStatic
        fun median(xs: List<Double>): Double {
            require(xs.isNotEmpty()) { "median of no values" }
            val s = xs.sorted()
            return if (s.size % 2 == 1) s[s.size / 2] else (s[s.size / 2 - 1] + s[s.size / 2]) / 2
        }

        /** Four significant digits, the precision of the tables and claim details. */
        @JvmStatic
        fun fmt(d: Double): String = String.format(java.util.Locale.ROOT, "%.4g", d)
    }
}
