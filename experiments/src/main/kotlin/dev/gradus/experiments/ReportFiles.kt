package dev.gradus.experiments

import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.extension
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.nameWithoutExtension

/** What run and sweep reports share: the plot files and the parts of a self-contained HTML page. */
object ReportFiles {
    /** The plots as written: SVG text by plot name (for inlining) and every file written. */
    class Plots(val svg: Map<String, String>, val files: List<Path>)

    /**
     * Writes `<name>.svg` and `<name>.png` for every chart into [dir] and deletes images of plots
     * that an earlier report drew and this one does not (so the folder lists exactly this report's plots).
     */
    fun writePlots(dir: Path, charts: Map<String, Chart>): Plots {
        Files.createDirectories(dir)
        val svg = charts.mapValues { it.value.svg() }
        val files = svg.flatMap { (name, text) ->
            listOf(
                dir.resolve("$name.svg").also { RunStore.writeAtomically(it, text) },
                dir.resolve("$name.png").also { RunStore.writeAtomically(it, Chart.rasterize(text)) },
            )
        }
        for (old in dir.listDirectoryEntries()) {
            if (old.extension in setOf("svg", "png") && old.nameWithoutExtension !in charts) Files.delete(old)
        }
        return Plots(svg, files)
    }

    fun escape(s: String): String = buildString(s.length) {
        for (c in s) when (c) {
            '<' -> append("&lt;")
            '>' -> append("&gt;")
            '&' -> append("&amp;")
            '"' -> append("&quot;")
            else -> append(c)
        }
    }

    /** The page up to and including its `<h1>`: inline style only, nothing to fetch. */
    fun head(title: String): String =
        """
        |<!DOCTYPE html>
        |<html lang="en">
        |<head>
        |<meta charset="utf-8">
        |<title>${escape(title)}</title>
        |<style>
        |body { font-family: sans-serif; margin: 1.5em; color: #222; }
        |table { border-collapse: collapse; margin-bottom: 1em; }
        |td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        |td.num { text-align: right; font-variant-numeric: tabular-nums; }
        |tr.best td { background: #eef7ee; }
        |.panels { display: flex; flex-wrap: wrap; gap: 12px; }
        |.panel { border: 1px solid #ddd; }
        |.panel p { margin: 2px 6px; font-size: small; }
        |.holds { color: #1a7f37; } .fails { color: #b42318; } .undecided { color: #7a5b00; }
        |</style>
        |</head>
        |<body>
        |<h1>${escape(title)}</h1>
        |
        """.trimMargin()

    const val FOOT = "</body>\n</html>\n"

    /** The plots inline (their SVG), each with links to its image files under `plots/`. */
    fun panels(plots: Map<String, String>): String = buildString {
        append("<div class=\"panels\">\n")
        for ((name, svg) in plots) {
            append("<div class=\"panel\" id=\"").append(escape(name)).append("\">\n").append(svg).append('\n')
            append("<p><a href=\"plots/").append(escape(name)).append(".png\">PNG</a> · <a href=\"plots/")
                .append(escape(name)).append(".svg\">SVG</a></p>\n</div>\n")
        }
        append("</div>\n")
    }
}
