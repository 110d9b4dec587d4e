package dev.gradus.experiments

import java.util.Locale
import kotlin.math.abs
import kotlin.math.ceil
import kotlin.math.floor
import kotlin.math.log10
import kotlin.math.max
import kotlin.math.min
import kotlin.math.pow
import kotlin.math.roundToLong

/**
 * A small self-contained SVG line chart: axes with nice ticks, axis labels, a title, a legend
 * and one polyline per series in distinct colours. Non-finite points (and, on a log axis,
 * points ≤ 0) are skipped and break the line: each unbroken run of two or more points is one
 * `<polyline>`, a lone point a dot. The output is standalone SVG, fit for a file or inline HTML.
 */
class SvgChart(
    val title: String,
    val xLabel: String,
    val yLabel: String,
    /** Logarithmic y axis (gradient magnitudes); ticks at powers of ten. */
    val logY: Boolean = false,
    /** Integer x ticks only (epochs, layer indices). */
    val integerX: Boolean = false,
    val width: Int = 560,
    val height: Int = 340,
) {
    /** One line: points (xs[i], ys[i]). */
    class Series(val name: String, val xs: DoubleArray, val ys: DoubleArray) {
        init {
            require(xs.size == ys.size) { "series '$name': ${xs.size} x values but ${ys.size} y values" }
        }
    }

    private val series = mutableListOf<Series>()

    fun add(name: String, xs: DoubleArray, ys: DoubleArray): SvgChart = apply { series += Series(name, xs, ys) }

    fun add(name: String, points: List<Pair<Double, Double?>>): SvgChart =
        add(name, points.map { it.first }.toDoubleArray(), points.map { it.second ?: Double.NaN }.toDoubleArray())

    val seriesCount: Int get() = series.size

    private fun usable(x: Double, y: Double) = x.isFinite() && y.isFinite() && (!logY || y > 0)

    fun render(): String {
        val legendWidth = if (series.isEmpty()) 0 else min(170, 28 + 7 * series.maxOf { it.name.length })
        val left = 64.0
        val right = 14.0 + legendWidth
        val top = 32.0
        val bottom = 48.0
        val pw = width - left - right
        val ph = height - top - bottom
        val xs = series.flatMap { s -> s.xs.indices.filter { usable(s.xs[it], s.ys[it]) }.map { s.xs[it] } }
        val ys = series.flatMap { s -> s.xs.indices.filter { usable(s.xs[it], s.ys[it]) }.map { s.ys[it] } }
        val xTicks = if (xs.isEmpty()) niceTicks(0.0, 1.0) else niceTicks(xs.min(), xs.max(), integers = integerX)
        val yTicks = when {
            ys.isEmpty() -> if (logY) listOf(0.1, 1.0) else niceTicks(0.0, 1.0)
            logY -> logTicks(ys.min(), ys.max())
            else -> niceTicks(ys.min(), ys.max())
        }
        val x0 = xTicks.first()
        val x1 = xTicks.last()
        fun tr(v: Double) = if (logY) log10(v) else v
        val y0 = tr(yTicks.first())
        val y1 = tr(yTicks.last())
        fun px(x: Double) = left + (x - x0) / (x1 - x0) * pw
        fun py(y: Double) = top + ph - (tr(y) - y0) / (y1 - y0) * ph
        val sb = StringBuilder()
        sb.append("""<svg xmlns="http://www.w3.org/2000/svg" width="$width" height="$height" viewBox="0 0 $width $height" font-family="sans-serif" font-size="11">""").append('\n')
        sb.append("<title>").append(escape(title)).append("</title>\n")
        sb.append("""<rect x="0" y="0" width="$width" height="$height" fill="white"/>""").append('\n')
        sb.append("""<text x="${f(left + pw / 2)}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escape(title)}</text>""").append('\n')
        // grid and ticks
        for (t in xTicks) {
            val x = px(t)
            sb.append("""<line x1="${f(x)}" y1="${f(top)}" x2="${f(x)}" y2="${f(top + ph)}" stroke="#e4e4e4"/>""").append('\n')
            sb.append("""<text x="${f(x)}" y="${f(top + ph + 15)}" text-anchor="middle">${escape(formatTick(t, xTicks))}</text>""").append('\n')
        }
        for (t in yTicks) {
            val y = py(t)
            sb.append("""<line x1="${f(left)}" y1="${f(y)}" x2="${f(left + pw)}" y2="${f(y)}" stroke="#e4e4e4"/>""").append('\n')
            val label = if (logY) formatLog(t) else formatTick(t, yTicks)
            sb.append("""<text x="${f(left - 5)}" y="${f(y + 4)}" text-anchor="end">${escape(label)}</text>""").append('\n')
        }
        sb.append("""<rect x="${f(left)}" y="${f(top)}" width="${f(pw)}" height="${f(ph)}" fill="none" stroke="#444"/>""").append('\n')
        sb.append("""<text x="${f(left + pw / 2)}" y="${f(height - 10.0)}" text-anchor="middle">${escape(xLabel)}</text>""").append('\n')
        sb.append("""<text transform="translate(14 ${f(top + ph / 2)}) rotate(-90)" text-anchor="middle">${escape(yLabel + if (logY) " (log)" else "")}</text>""").append('\n')
        // lines
        series.forEachIndexed { i, s ->
            val colour = PALETTE[i % PALETTE.size]
            val dash = if (i >= PALETTE.size) """ stroke-dasharray="${DASHES[(i / PALETTE.size - 1) % DASHES.size]}"""" else ""
            sb.append("""<g class="series" data-series="${escape(s.name)}">""").append('\n')
            for (segment in segments(s)) {
                if (segment.size == 1) {
                    val (x, y) = segment[0]
                    sb.append("""<circle cx="${f(px(x))}" cy="${f(py(y))}" r="2.5" fill="$colour"/>""").append('\n')
                } else {
                    val pts = segment.joinToString(" ") { (x, y) -> "${f(px(x))},${f(py(y))}" }
                    sb.append("""<polyline fill="none" stroke="$colour" stroke-width="1.8"$dash points="$pts"/>""").append('\n')
                }
            }
            sb.append("</g>\n")
        }
        // legend
        if (series.isNotEmpty()) {
            val lx = left + pw + 12
            series.forEachIndexed { i, s ->
                val ly = top + 8 + i * 16.0
                val colour = PALETTE[i % PALETTE.size]
                val dash = if (i >= PALETTE.size) """ stroke-dasharray="${DASHES[(i / PALETTE.size - 1) % DASHES.size]}"""" else ""
                sb.append("""<line x1="${f(lx)}" y1="${f(ly)}" x2="${f(lx + 18)}" y2="${f(ly)}" stroke="$colour" stroke-width="2"$dash/>""").append('\n')
                sb.append("""<text x="${f(lx + 23)}" y="${f(ly + 4)}">${escape(s.name)}</text>""").append('\n')
            }
        }
        sb.append("</svg>\n")
        return sb.toString()
    }

    /** The unbroken runs of usable points of [s]. */
    private fun segments(s: Series): List<List<Pair<Double, Double>>> {
        val out = mutableListOf<List<Pair<Double, Double>>>()
        var cur = mutableListOf<Pair<Double, Double>>()
        for (i in s.xs.indices) {
            if (usable(s.xs[i], s.ys[i])) {
                cur += s.xs[i] to s.ys[i]
            } else if (cur.isNotEmpty()) {
                out += cur
                cur = mutableListOf()
            }
        }
        if (cur.isNotEmpty()) out += cur
        return out
    }

    companion object {
        /** Tableau 10: distinct, colour-blind-friendlier than the primaries. */
        val PALETTE = listOf("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
        private val DASHES = listOf("6 3", "2 2", "8 3 2 3")

        /**
         * Heckbert's nice ticks: about [target] evenly spaced round numbers (steps 1, 2, 5 × 10ⁿ)
         * whose first is ≤ [min] and last ≥ [max]. A degenerate range is widened around its value;
         * with [integers] the step is at least 1.
         */
        fun niceTicks(min: Double, max: Double, target: Int = 6, integers: Boolean = false): List<Double> {
            require(min.isFinite() && max.isFinite()) { "tick range must be finite, got [$min, $max]" }
            var lo = min(min, max)
            var hi = max(min, max)
            if (hi - lo < 1e-12 * max(1.0, abs(hi))) {
                val pad = if (integers) 1.0 else if (lo == 0.0) 1.0 else abs(lo) * 0.1
                lo -= pad
                hi += pad
            }
            val range = niceNumber(hi - lo, round = false)
            var step = niceNumber(range / (target - 1), round = true)
            if (integers) step = max(1.0, step.roundToLong().toDouble())
            val first = floor(lo / step) * step
            val last = ceil(hi / step) * step
            val n = ((last - first) / step).roundToLong().toInt()
            return (0..n).map { clean(first + it * step, step) }
        }

        /** Powers of ten from below [min] to above [max] (every k-th decade when they are many). */
        fun logTicks(min: Double, max: Double): List<Double> {
            require(min > 0 && max > 0 && min.isFinite() && max.isFinite()) { "log ticks need a positive finite range, got [$min, $max]" }
            var lo = floor(log10(min(min, max))).toInt()
            var hi = ceil(log10(max(min, max))).toInt()
            if (hi == lo) hi++
            val every = max(1, (hi - lo + 7) / 8)
            lo = Math.floorDiv(lo, every) * every
            hi = Math.floorDiv(hi + every - 1, every) * every
            return (lo..hi step every).map { 10.0.pow(it) }
        }

        private fun niceNumber(x: Double, round: Boolean): Double {
            val exp = floor(log10(x))
            val frac = x / 10.0.pow(exp)
            val nice = if (round) {
                when {
                    frac < 1.5 -> 1.0
                    frac < 3 -> 2.0
                    frac < 7 -> 5.0
                    else -> 10.0
                }
            } else {
                when {
                    frac <= 1 -> 1.0
                    frac <= 2 -> 2.0
                    frac <= 5 -> 5.0
                    else -> 10.0
                }
            }
            return nice * 10.0.pow(exp)
        }

        /** [v] rounded to the step's precision, so that 0.30000000000000004 reads 0.3 and −0 reads 0. */
        private fun clean(v: Double, step: Double): Double {
            val decimals = max(0, -floor(log10(step)).toInt() + 1)
            val r = java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_UP).toDouble()
            return if (r == 0.0) 0.0 else r
        }

        /** A tick label with as many decimals as the tick step needs. */
        fun formatTick(v: Double, ticks: List<Double>): String {
            val step = if (ticks.size > 1) abs(ticks[1] - ticks[0]) else abs(v)
            val big = ticks.maxOf { abs(it) }
            if (big >= 1e5 || (step > 0 && step < 1e-4)) return String.format(Locale.ROOT, "%.1e", v)
            val decimals = if (step <= 0) 0 else max(0, -floor(log10(step) + 1e-9).toInt())
            return String.format(Locale.ROOT, "%.${decimals}f", v)
        }

        /** A power of ten: 0.01, 0.1, 1, 10, 100 near one, else 1e-5, 1e6. */
        fun formatLog(v: Double): String {
            val e = log10(v).roundToLong()
            return if (e in -2..3) String.format(Locale.ROOT, "%.${max(0, -e.toInt())}f", v) else "1e$e"
        }

        /** [s] with the XML special characters escaped, for text and attribute values. */
        fun escape(s: String): String = buildString(s.length) {
            for (c in s) {
                when (c) {
                    '&' -> append("&amp;")
                    '<' -> append("&lt;")
                    '>' -> append("&gt;")
                    '"' -> append("&quot;")
                    '\'' -> append("&#39;")
                    else -> append(c)
                }
            }
        }

        private fun f(v: Double) = String.format(Locale.ROOT, "%.1f", v)
    }
}
