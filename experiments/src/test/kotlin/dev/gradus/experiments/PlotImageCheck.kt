package dev.gradus.experiments

import org.w3c.dom.Element
import org.w3c.dom.Node
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.math.abs

/**
 * Checks that a plot's images show its series, not only that they exist: in the SVG, inside the
 * plot panel (the clipped group, which the legend is not part of), each series has a line whose
 * points number the series' points (or, for error-bar plots, its point marks); in the PNG, pixels of
 * the series' colour lie inside the panel. The panel's position comes from the SVG, which the PNG
 * is rendered from at the same size.
 */
object PlotImageCheck {
    /** A series that should be drawn: its colour (`#rrggbb`) and number of points. */
    data class Expected(val name: String, val colour: String, val points: Int)

    /** The series of [chart] that have points to draw. */
    fun expected(chart: Chart): List<Expected> {
        val drawn = chart.series.filter { it.points.isNotEmpty() }
        require(drawn.map { it.colour }.distinct().size == drawn.size) { "'${chart.title}': series share colours; the image check cannot tell them apart" }
        return drawn.map { Expected(it.name, it.colour, it.points.size) }
    }

    /** What is wrong with the images ([svg], [png]) as a drawing of [expected]; empty when every series is there. */
    fun problems(expected: List<Expected>, svg: String, png: ByteArray, lines: Boolean = true): List<String> {
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ByteArrayInputStream(svg.toByteArray()))
        val panels = elements(doc.documentElement).filter { it.hasAttribute("clip-path") }
        if (panels.isEmpty()) return listOf("no plot panel (clipped group) in the SVG")
        val inPanel = panels.flatMap { elements(it) }
        val image = ImageIO.read(ByteArrayInputStream(png)) ?: return listOf("the PNG does not decode")
        val (x0, y0, x1, y1) = panelBounds(panels.first())
        val problems = mutableListOf<String>()
        for (e in expected) {
            val rgb = rgb(e.colour)
            val marks = inPanel.count { it.tagName == "circle" && rgbOrNull(it.getAttribute("fill")) == rgb }
            if (marks != e.points) problems += "${e.name}: ${e.points} points, $marks point marks in the SVG panel"
            if (lines) {
                val paths = inPanel.filter { it.tagName == "path" && it.getAttribute("fill") == "none" && rgbOrNull(it.getAttribute("stroke")) == rgb }
                val vertices = paths.sumOf { distinctVertices(it.getAttribute("d")) }
                if (paths.isEmpty()) {
                    problems += "${e.name}: no line in the SVG panel"
                } else if (e.points > 1 && vertices != e.points) {
                    problems += "${e.name}: ${e.points} points, its line in the SVG panel has $vertices"
                }
            }
            var pixels = 0
            for (y in y0.coerceAtLeast(0) until y1.coerceAtMost(image.height)) {
                for (x in x0.coerceAtLeast(0) until x1.coerceAtMost(image.width)) {
                    if (close(image.getRGB(x, y), rgb)) pixels++
                }
            }
            if (pixels < MIN_PIXELS) problems += "${e.name}: $pixels pixels of ${e.colour} inside the PNG's plot panel"
        }
        return problems
    }

    /** Pixels of [colour] anywhere in a PNG (a browser screenshot). */
    fun pixelsOf(png: ByteArray, colour: String): Int {
        val image = ImageIO.read(ByteArrayInputStream(png))
        val rgb = rgb(colour)
        var n = 0
        for (y in 0 until image.height) for (x in 0 until image.width) if (close(image.getRGB(x, y), rgb)) n++
        return n
    }

    private const val MIN_PIXELS = 3
    private const val TOLERANCE = 24

    private fun close(argb: Int, rgb: Int): Boolean =
        abs((argb shr 16 and 255) - (rgb shr 16 and 255)) <= TOLERANCE &&
            abs((argb shr 8 and 255) - (rgb shr 8 and 255)) <= TOLERANCE &&
            abs((argb and 255) - (rgb and 255)) <= TOLERANCE

    private fun rgb(hex: String): Int = hex.removePrefix("#").toInt(16)

    /** `#rrggbb` or `rgb(r,g,b)` (lets-plot writes both) as 0xRRGGBB. */
    private fun rgbOrNull(v: String): Int? {
        if (v.startsWith("#") && v.length == 7) return rgb(v)
        val m = Regex("""rgb\((\d+),\s*(\d+),\s*(\d+)\)""").matchEntire(v.trim()) ?: return null
        val (r, g, b) = m.destructured
        return (r.toInt() shl 16) or (g.toInt() shl 8) or b.toInt()
    }

    /** The points of an `M x y L x y ...` path, a repeated point counted once (lets-plot repeats the first). */
    private fun distinctVertices(d: String): Int {
        val numbers = Regex("""-?[0-9.]+(?:E-?[0-9]+)?""").findAll(d).map { it.value.toDouble() }.toList()
        return numbers.chunked(2).zipWithNext().count { (a, b) -> a != b } + 1
    }

    private fun elements(root: Element): List<Element> {
        val out = mutableListOf<Element>()
        fun walk(n: Node) {
            val children = n.childNodes
            for (i in 0 until children.length) {
                val c = children.item(i)
                if (c is Element) {
                    out += c
                    walk(c)
                }
            }
        }
        walk(root)
        return out
    }

    /** The panel's pixel rectangle: its clip rectangle moved by the translations of it and its ancestors. */
    private fun panelBounds(panel: Element): List<Int> {
        var dx = 0.0
        var dy = 0.0
        var n: Node? = panel
        while (n is Element) {
            Regex("""translate\(\s*([-0-9.E]+)[ ,]+([-0-9.E]+)""").find(n.getAttribute("transform"))?.let {
                dx += it.groupValues[1].toDouble()
                dy += it.groupValues[2].toDouble()
            }
            n = n.parentNode
        }
        val rect = elements(panel).first { it.tagName == "rect" && it.parentNode.nodeName == "clipPath" }
        val x = dx + rect.getAttribute("x").toDouble()
        val y = dy + rect.getAttribute("y").toDouble()
        return listOf(x.toInt(), y.toInt(), (x + rect.getAttribute("width").toDouble()).toInt(), (y + rect.getAttribute("height").toDouble()).toInt())
    }
}
