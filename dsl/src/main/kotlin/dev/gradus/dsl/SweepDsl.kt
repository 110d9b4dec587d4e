package dev.gradus.dsl

import java.util.SplittableRandom
import java.util.function.Consumer
import java.util.function.Predicate
import kotlin.math.exp
import kotlin.math.ln

/*
 * `sweep("name") { ... }` in a script: a declaration of trials (alternatives × grid × random
 * draws × seeds, or configurations computed by code × seeds) and of claims judged on their
 * results. Only data is built here; `gradus sweep` (experiments module) expands, validates and
 * runs it.
 */

@DslMarker
annotation class SweepDslMarker

/** A random-search variable's distribution. Bad bounds are reported by [problem], not thrown, so a sweep lists all its problems at once. */
sealed class Distribution {
    abstract fun draw(random: SplittableRandom): Any
    /** Why the distribution cannot be drawn from, or null. */
    abstract fun problem(): String?

    data class Uniform(val lo: Double, val hi: Double) : Distribution() {
        override fun draw(random: SplittableRandom): Any = lo + (hi - lo) * random.nextDouble()
        override fun problem() = if (lo.isFinite() && hi.isFinite() && lo < hi) null else "uniform($lo, $hi) needs finite lo < hi"
        override fun toString() = "uniform($lo, $hi)"
    }

    /** Uniform in log space: `exp(uniform(ln lo, ln hi))`; for scales and learning rates. */
    data class LogUniform(val lo: Double, val hi: Double) : Distribution() {
        override fun draw(random: SplittableRandom): Any = exp(ln(lo) + (ln(hi) - ln(lo)) * random.nextDouble())
        override fun problem() = if (lo > 0 && hi.isFinite() && lo < hi) null else "logUniform($lo, $hi) needs 0 < lo < hi"
        override fun toString() = "logUniform($lo, $hi)"
    }

    /** One of [values], each equally likely (numbers, booleans or strings). */
    data class Choice(val values: List<Any>) : Distribution() {
        override fun draw(random: SplittableRandom): Any = values[random.nextInt(values.size)]
        override fun problem() = when {
            values.isEmpty() -> "choice() needs at least one value"
            else -> values.firstNotNullOfOrNull { sweepValueProblem(it) }
        }
        override fun toString() = "choice(${values.joinToString(", ")})"
    }

    companion object {
        @JvmStatic fun uniform(lo: Double, hi: Double): Distribution = Uniform(lo, hi)
        @JvmStatic fun logUniform(lo: Double, hi: Double): Distribution = LogUniform(lo, hi)
        @JvmStatic fun choice(vararg values: Any): Distribution = Choice(values.toList())
    }
}

/** Why [v] cannot be a spec value of a sweep (only numbers, booleans and strings can), or null. */
internal fun sweepValueProblem(v: Any): String? = when (v) {
    is Double -> if (v.isFinite()) null else "$v is not a finite number"
    is Float -> if (v.isFinite()) null else "$v is not a finite number"
    is Number, is Boolean, is String -> null
    else -> "${v.javaClass.simpleName} value $v: a sweep sets numbers, booleans or strings"
}

/** One grid axis: a spec path (`optimizer.lr`, `model.layers[0].units`, as in spec.json) and its values. */
data class SweepAxis(val path: String, val values: List<Any>)

/** [draws] random configurations, each drawing every variable (spec path → distribution) in declaration order from a generator seeded with [seed]. */
data class RandomSearch(val draws: Int, val seed: Long, val variables: Map<String, Distribution>) {
    /** The draws, reproducible from [seed]: draw k is the same list wherever and however often it is computed. */
    fun values(): List<Map<String, Any>> {
        val random = SplittableRandom(seed)
        return List(maxOf(draws, 0)) { variables.mapValues { (_, d) -> d.draw(random) } }
    }
}

/** The quantity the best configuration is chosen by (its mean over seeds), and the direction. */
data class BestBy(val quantity: String, val maximize: Boolean) {
    override fun toString() = (if (maximize) "max " else "min ") + quantity
}

/** A claim: [text] in words, [predicate] judging it on the finished trials' statistics. */
class SweepClaim(val text: String, val predicate: (SweepStats) -> Boolean)

/** A configuration whose trials are computed by code: [run] maps a seed to named measurements. */
class CodeTrial(val configuration: String, val run: (Long) -> Map<String, Number>)

/** A declared sweep (what [SweepBuilder] builds). [seeds] null: each experiment's own seed. [experiments] null: every experiment the script declares. */
class SweepDeclaration(
    val name: String,
    val seeds: List<Long>?,
    val experiments: List<String>?,
    val grid: List<SweepAxis>,
    val random: RandomSearch?,
    /** Null: the sweep picks no best configuration (its quantities are not "higher is better" ones). */
    val bestBy: BestBy?,
    val claims: List<SweepClaim>,
    val trials: List<CodeTrial>,
) {
    /** A copy with other seeds (`gradus sweep --seeds` overrides the declared ones). */
    fun withSeeds(seeds: List<Long>) = SweepDeclaration(name, seeds, experiments, grid, random, bestBy, claims, trials)

    /**
     * The problems found without looking at any experiment spec (those are checked where the
     * sweep is expanded): the name, empty seeds or grids, bad values and distributions,
     * duplicate code-trial names, a grid over code trials only.
     */
    fun problems(): List<String> {
        val p = mutableListOf<String>()
        if (!SpecCompiler.NAME_PATTERN.matches(name)) p += "name '$name' must match ${SpecCompiler.NAME_PATTERN} (it names the sweep's folder)"
        if (seeds != null && seeds.isEmpty()) p += "seeds: the list is empty"
        seeds?.filter { it < 0 }?.takeIf { it.isNotEmpty() }?.let { p += "seeds: must be >= 0, got $it" }
        seeds?.groupBy { it }?.filterValues { it.size > 1 }?.keys?.takeIf { it.isNotEmpty() }?.let { p += "seeds: repeated $it" }
        if (experiments != null && experiments.isEmpty()) p += "experiments: the list is empty"
        for (a in grid) {
            if (a.values.isEmpty()) p += "grid ${a.path}: no values"
            a.values.forEach { v -> sweepValueProblem(v)?.let { p += "grid ${a.path}: $it" } }
            if (a.values.distinct().size != a.values.size) p += "grid ${a.path}: repeated values ${a.values}"
        }
        grid.groupBy { it.path }.filterValues { it.size > 1 }.keys.forEach { p += "grid $it: declared twice" }
        random?.let { r ->
            if (r.draws <= 0) p += "random: draws must be > 0, got ${r.draws}"
            if (r.variables.isEmpty()) p += "random: no variable (write \"path\" from logUniform(a, b))"
            r.variables.forEach { (path, d) -> d.problem()?.let { p += "random $path: $it" } }
            r.variables.keys.filter { k -> grid.any { it.path == k } }.forEach { p += "random $it: also a grid axis" }
        }
        for (t in trials) if (!SpecCompiler.NAME_PATTERN.matches(t.configuration)) p += "trial '${t.configuration}': must match ${SpecCompiler.NAME_PATTERN} (it names the trial's record)"
        trials.groupBy { it.configuration }.filterValues { it.size > 1 }.keys.forEach { p += "trial '$it': declared twice" }
        if (trials.isNotEmpty() && seeds == null) p += "seeds: a sweep with code trials needs seeds(...) (the seed is each trial's only input)"
        if (trials.isNotEmpty() && experiments == null && (grid.isNotEmpty() || random != null)) {
            p += "grid/random set spec paths, but this sweep has only code trials; name the experiments with experiments(...)"
        }
        if (claims.map { it.text }.distinct().size != claims.size) p += "claims: the same text twice"
        return p
    }
}

/** Builds a [SweepDeclaration]; in a script, `sweep("name") { ... }`. From Java: `new SweepBuilder("name")`, calls, then [build]. */
@SweepDslMarker
class SweepBuilder(val name: String) {
    private var seeds: List<Long>? = null
    private var experiments: List<String>? = null
    private val grid = mutableListOf<SweepAxis>()
    private var random: RandomSearch? = null
    private val claims = mutableListOf<SweepClaim>()
    private val trials = mutableListOf<CodeTrial>()

    /** The quantity the best configuration is chosen by; default `maximize("test.accuracy")`; null ([noBest]): none. */
    var bestBy: BestBy? = BestBy("test.accuracy", true)

    /** No best configuration: for sweeps whose claims compare configurations that no single quantity ranks. */
    fun noBest() { bestBy = null }

    /** Every trial is repeated for each seed (the spec's `seed`, or the code trial's argument). */
    fun seeds(vararg seeds: Long) { this.seeds = seeds.toList() }
    fun seeds(range: IntRange) { seeds = range.map { it.toLong() } }
    fun seeds(range: LongRange) { seeds = range.toList() }
    fun seeds(seeds: List<Long>) { this.seeds = seeds.toList() }

    /** The alternatives: experiments declared in the script (default: all of them, unless the sweep has code trials). */
    fun experiments(vararg names: String) { experiments = names.toList() }

    /** A grid axis: a spec path as in spec.json and its values; axes combine as a cartesian product. */
    fun grid(path: String, vararg values: Any) { grid += SweepAxis(path, values.toList()) }

    /** [draws] random configurations, combined with every grid point; reproducible from [seed]. */
    @JvmSynthetic
    fun random(draws: Int, seed: Long = 0, block: RandomSearchBuilder.() -> Unit) {
        random = RandomSearch(draws, seed, RandomSearchBuilder().apply(block).variables.toMap())
    }

    /** Java: `b.random(20, 7, r -> r.variable("model.layers[0].init.gain", Distribution.logUniform(0.5, 2.0)))`. */
    fun random(draws: Int, seed: Long, block: Consumer<RandomSearchBuilder>) {
        random = RandomSearch(draws, seed, RandomSearchBuilder().also { block.accept(it) }.variables.toMap())
    }

    fun maximize(quantity: String) = BestBy(quantity, true)
    fun minimize(quantity: String) = BestBy(quantity, false)

    /** A claim judged on the finished trials; see [SweepStats] for what the predicate may read. */
    @JvmSynthetic
    fun claim(text: String, predicate: (SweepStats) -> Boolean) { claims += SweepClaim(text, predicate) }

    fun claim(text: String, predicate: Predicate<SweepStats>) { claims += SweepClaim(text) { predicate.test(it) } }

    /** A configuration computed by code: for each seed, [run] returns the trial's named measurements. */
    @JvmSynthetic
    fun trial(configuration: String, run: (Long) -> Map<String, Number>) { trials += CodeTrial(configuration, run) }

    fun trial(configuration: String, run: java.util.function.Function<Long, Map<String, Number>>) {
        trials += CodeTrial(configuration) { run.apply(it) }
    }

    fun build() = SweepDeclaration(name, seeds, experiments, grid.toList(), random, bestBy, claims.toList(), trials.toList())
}

/** The variables of `random(n) { "path" from logUniform(a, b); ... }`. */
@SweepDslMarker
class RandomSearchBuilder {
    internal val variables = linkedMapOf<String, Distribution>()

    infix fun String.from(distribution: Distribution) = variable(this, distribution)

    fun variable(path: String, distribution: Distribution) {
        require(path !in variables) { "random: variable $path declared twice" }
        variables[path] = distribution
    }

    fun uniform(lo: Double, hi: Double) = Distribution.uniform(lo, hi)
    fun logUniform(lo: Double, hi: Double) = Distribution.logUniform(lo, hi)
    fun choice(vararg values: Any) = Distribution.choice(*values)
}

/** Builds a sweep outside a script (library code, Java: prefer [SweepBuilder]). */
fun sweep(name: String, block: SweepBuilder.() -> Unit): SweepDeclaration = SweepBuilder(name).apply(block).build()
