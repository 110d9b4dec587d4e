package dev.gradus.experiments

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain

class SvgChartSpec : FunSpec({
    test("nice ticks cover the range with round steps") {
        SvgChart.niceTicks(0.0, 1.0) shouldContainExactly listOf(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
        SvgChart.niceTicks(0.13, 0.92) shouldContainExactly listOf(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
        SvgChart.niceTicks(-3.0, 17.0) shouldContainExactly listOf(-5.0, 0.0, 5.0, 10.0, 15.0, 20.0)
        SvgChart.niceTicks(0.0, 2.0, integers = true) shouldContainExactly listOf(0.0, 1.0, 2.0)
        SvgChart.niceTicks(1.0, 1.0, integers = true) shouldContainExactly listOf(0.0, 1.0, 2.0)
        SvgChart.niceTicks(0.3, 0.3).let { it.first() <= 0.3 && it.last() >= 0.3 && it.size >= 2 } shouldBe true
        SvgChart.niceTicks(1.1, 1.4) shouldContainExactly listOf(1.1, 1.2, 1.3, 1.4)
        SvgChart.niceTicks(0.0, 0.7) shouldContainExactly listOf(0.0, 0.2, 0.4, 0.6, 0.8)
        SvgChart.niceTicks(1e-4, 3.7e-4) shouldContainExactly listOf(1e-4, 2e-4, 3e-4, 4e-4)
    }

    test("log ticks are powers of ten around the range") {
        SvgChart.logTicks(0.003, 0.2) shouldContainExactly listOf(0.001, 0.01, 0.1, 1.0)
        SvgChart.logTicks(2.0, 3.0) shouldContainExactly listOf(1.0, 10.0)
        SvgChart.logTicks(1e-9, 1e9) shouldContainExactly listOf(1e-9, 1e-6, 1e-3, 1.0, 1e3, 1e6, 1e9) // every third decade
        SvgChart.formatLog(0.01) shouldBe "0.01"
        SvgChart.formatLog(1e-5) shouldBe "1e-5"
        SvgChart.formatTick(0.4, listOf(0.0, 0.2, 0.4)) shouldBe "0.4"
        SvgChart.formatTick(15.0, listOf(0.0, 5.0, 10.0, 15.0)) shouldBe "15"
    }

    test("NaN points are skipped and break the line") {
        val svg = SvgChart("t", "x", "y")
            .add("a", doubleArrayOf(0.0, 1.0, 2.0, 3.0, 4.0, 5.0), doubleArrayOf(1.0, 2.0, Double.NaN, 3.0, 4.0, Double.NaN))
            .add("lonely", doubleArrayOf(0.0, 1.0, 2.0), doubleArrayOf(Double.NaN, 5.0, Double.NaN))
            .render()
        Regex("<polyline").findAll(svg).count() shouldBe 2
        Regex("<circle").findAll(svg).count() shouldBe 1
        svg shouldNotContain "NaN"
        val polylines = Regex("points=\"([^\"]*)\"").findAll(svg).map { it.groupValues[1].split(' ').size }.toList()
        polylines shouldContainExactly listOf(2, 2)
    }

    test("a log axis skips non-positive values; an all-NaN chart still renders axes") {
        val svg = SvgChart("g", "layer", "std", logY = true).add("e", doubleArrayOf(0.0, 1.0, 2.0), doubleArrayOf(1e-3, 0.0, 1e-1)).render()
        svg shouldContain "(log)"
        Regex("<polyline").findAll(svg).count() shouldBe 0
        Regex("<circle").findAll(svg).count() shouldBe 2
        val empty = SvgChart("none", "x", "y").add("nan", doubleArrayOf(0.0, 1.0), doubleArrayOf(Double.NaN, Double.NaN)).render()
        empty shouldContain "<svg"
        empty shouldNotContain "NaN"
        empty shouldNotContain "Infinity"
    }

    test("labels are escaped; series get distinct colours") {
        val svg = SvgChart("a < b & \"c\"", "x <x>", "y's").add("s<1>", doubleArrayOf(0.0, 1.0), doubleArrayOf(0.0, 1.0))
            .add("s2", doubleArrayOf(0.0, 1.0), doubleArrayOf(1.0, 0.0)).render()
        svg shouldContain "a &lt; b &amp; &quot;c&quot;"
        svg shouldContain "x &lt;x&gt;"
        svg shouldContain "y&#39;s"
        svg shouldContain ">s&lt;1&gt;</text>"
        svg shouldNotContain "<1>"
        val colours = Regex("<polyline fill=\"none\" stroke=\"(#[0-9a-f]{6})\"").findAll(svg).map { it.groupValues[1] }.toList()
        colours.toSet().size shouldBe 2
        SvgChart.escape("<&>\"'") shouldBe "&lt;&amp;&gt;&quot;&#39;"
    }
})
