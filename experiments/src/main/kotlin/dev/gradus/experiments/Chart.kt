package dev.gradus.experiments

import org.apache.batik.transcoder.TranscoderInput
import org.apache.batik.transcoder.TranscoderOutput
import org.apache.batik.transcoder.image.PNGTranscoder
import org.jetbrains.letsPlot.commons.encoding.RGBEncoder
import org.jetbrains.letsPlot.commons.geometry.DoubleVector
import org.jetbrains.letsPlot.core.util.PlotSvgExportCommon
import org.jetbrains.letsPlot.geom.geomErrorBar
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.geom.geomRibbon
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.intern.toSpec
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
import org.jetbrains.letsPlot.scale.scaleFillManual
import org.jetbrains.letsPlot.scale.scaleXContinuous
import org.jetbrains.letsPlot.scale.scaleYContinuous
import org.jetbrains.letsPlot.scale.scaleYLog10
import org.jetbrains.letsPlot.themes.theme
import org.jetbrains.letsPlot.themes.themeBW
import java.io.ByteArrayOutputStream
import java.io.StringReader
import kotlin.math.ceil
import kotlin.math.floor
import kotlin.math.log10
import kotlin.math.max
import kotlin.math.pow

/**
 * One report plot: named series of (x, y) points, drawn by lets-plot as lines with points, each
 * series optionally with a spread (lower, upper) per point drawn as a shaded band (mean ± std over
 * seeds) or as error bars. [svg] is lets-plot's own SVG export; [png] rasterizes that SVG with
 * Batik, so both images show the same plot. Every series gets a fixed colour from [PALETTE] by its
 * position, which is what lets the report check find each series in the images.
 */
class Chart(
    val title: String,
    val xLabel: String,
    val yLabel: String,
    val logY: Boolean = false,
    val integerX: Boolean = false,
) {
    enum class Spread { NONE, BAND, ERROR_BARS }

    /** A series after dropping points it cannot plot (missing, not finite, ≤ 0 on a log axis). */
    class Series(val name: String, val colour: String, val points: List<Point>)

    /** One point; [lower] and [upper] bound its spread (null: none). */
    data class Point(val x: Double, val y: Double, val lower: Double? = null, val upper: Double? = null)

    private val added = mutableListOf<Series>()
    private var spread = Spread.NONE
    private var xBreaks: List<Pair<Double, String>>? = null

    /** Every series added, in order, including those with no plottable point (they keep their colour). */
    val series: List<Series> get() = added

    /** Whether any series has a point to draw (a run that never measured a value gets no plot of it). */
    val hasPoints: Boolean get() = added.any { it.points.isNotEmpty() }

    fun add(name: String, points: List<Pair<Double, Double?>>): Chart =
        addPoints(name, points.mapNotNull { (x, y) -> y?.let { Point(x, it) } })

    /** A mean curve with a mean ± std band: [x], [mean] and [std] are parallel. */
    fun addBand(name: String, x: List<Double>, mean: List<Double>, std: List<Double>): Chart {
        require(x.size == mean.size && x.size == std.size) { "band '$name': ${x.size} x, ${mean.size} means, ${std.size} stds" }
        spread = Spread.BAND
        return addPoints(name, x.indices.map { Point(x[it], mean[it], mean[it] - std[it], mean[it] + std[it]) })
    }

    /** One point per category with mean ± std error bars; the x axis shows the category names. */
    fun addErrorBar(name: String, category: Int, mean: Double, std: Double): Chart {
        spread = Spread.ERROR_BARS
        return addPoints(name, listOf(Point(category.toDouble(), mean, mean - std, mean + std)))
    }

    /** Names the x positions (categories of an error-bar plot). */
    fun categories(names: List<String>): Chart = apply { xBreaks = names.mapIndexed { i, n -> i.toDouble() to n } }

    private fun addPoints(name: String, points: List<Point>): Chart {
        val plottable = points.filter { p ->
            p.x.isFinite() && p.y.isFinite() && (!logY || p.y > 0) &&
                listOfNotNull(p.lower, p.upper).all { it.isFinite() }
        }.map { p -> if (logY && p.lower != null && p.lower <= 0) p.copy(lower = p.y) else p }
        added += Series(name, PALETTE[added.size % PALETTE.size], plottable)
        return this
    }

    /** The lets-plot figure. Series without points are left out (a plot of nothing is not drawn). */
    fun figure(): Plot {
        val drawn = added.filter { it.points.isNotEmpty() }
        val rows = drawn.flatMap { s -> s.points.map { s to it } }
        val data = mapOf(
            "x" to rows.map { it.second.x },
            "y" to rows.map { it.second.y },
            "lower" to rows.map { it.second.lower ?: it.second.y },
            "upper" to rows.map { it.second.upper ?: it.second.y },
            "series" to rows.map { it.first.name },
        )
        var p = letsPlot(data) + themeBW() + theme().legendPositionBottom() + ggsize(WIDTH, HEIGHT) +
            labs(title = title, x = xLabel, y = if (logY) "$yLabel (log)" else yLabel, color = "", fill = "")
        // only the drawn series in the scales: a legend key for a missing series would hide its absence
        val names = drawn.map { it.name }
        val colours = drawn.map { it.colour }
        if (spread == Spread.BAND) {
            p += geomRibbon(alpha = 0.2, size = 0.0, showLegend = false) { x = "x"; ymin = "lower"; ymax = "upper"; fill = "series" }
            p += scaleFillManual(values = colours, limits = names)
        }
        if (spread == Spread.ERROR_BARS) {
            p += geomErrorBar(width = 0.2, size = 0.8) { x = "x"; ymin = "lower"; ymax = "upper"; color = "series" }
        } else {
            p += geomLine(size = 1.0) { x = "x"; y = "y"; color = "series" }
        }
        p += geomPoint(size = if (spread == Spread.ERROR_BARS) 4.0 else 2.0) { x = "x"; y = "y"; color = "series" }
        p += scaleColorManual(values = colours, limits = names)
        if (logY) {
            p += scaleYLog10()
        } else if (spread == Spread.BAND && rows.isNotEmpty()) {
            // lets-plot extends a ribbon's y range to 0; the curves are what matters, so fit the bands
            val low = rows.minOf { it.second.lower ?: it.second.y }
            val high = rows.maxOf { it.second.upper ?: it.second.y }
            if (high > low) p += scaleYContinuous(limits = low to high)
        }
        xBreaks?.let { b -> p += scaleXContinuous(breaks = b.map { it.first }, labels = b.map { it.second }) }
            ?: run { if (integerX) integerBreaks(drawn)?.let { b -> p += scaleXContinuous(breaks = b, labels = b.map { it.toLong().toString() }) } }
        return p
    }

    /** Whole-number ticks (epochs, layers, steps): lets-plot's own breaks may fall between them. */
    private fun integerBreaks(drawn: List<Series>): List<Double>? {
        val xs = drawn.flatMap { s -> s.points.map { it.x } }
        if (xs.isEmpty()) return null
        val lo = floor(xs.min())
        val hi = ceil(xs.max())
        val rough = max(1.0, (hi - lo) / 8)
        val magnitude = 10.0.pow(floor(log10(rough)))
        val step = listOf(1.0, 2.0, 5.0, 10.0).map { it * magnitude }.first { it >= rough }
        val first = ceil(lo / step) * step
        return generateSequence(first) { it + step }.takeWhile { it <= hi }.toList()
    }

    fun svg(): String = PlotSvgExportCommon.buildSvgImageFromRawSpecs(
        figure().toSpec(), DoubleVector(WIDTH.toDouble(), HEIGHT.toDouble()), NO_RASTER, false,
    )

    fun png(): ByteArray = rasterize(svg())

    companion object {
        const val WIDTH = 560
        const val HEIGHT = 380

        /** Tableau 10: distinct colours, so the image check tells series apart. */
        val PALETTE = listOf(
            "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        )

        // lets-plot embeds raster layers (geom_raster, images) through this; no report plot has one
        private val NO_RASTER = object : RGBEncoder {
            override fun toDataUrl(width: Int, height: Int, argbValues: IntArray): String =
                throw UnsupportedOperationException("report plots have no raster layers")
        }

        /** An SVG image (lets-plot's) as PNG bytes, rendered by Batik without a display. */
        fun rasterize(svg: String): ByteArray {
            System.setProperty("java.awt.headless", "true")
            val out = ByteArrayOutputStream()
            PNGTranscoder().transcode(TranscoderInput(StringReader(svg)), TranscoderOutput(out))
            return out.toByteArray()
        }
    }
}
