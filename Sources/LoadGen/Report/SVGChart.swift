internal import Glibc

/// A line chart as inline SVG: a light grid with tick labels, one polyline per series, a legend.
/// Values are mapped to pixels by the axes; a log axis clamps values at or below 0 to its minimum.
/// Styling is in presentation attributes, so the SVG also looks right alone, outside the HTML page.
struct SVGChart {
    struct Tick {
        var value: Double
        var label: String
    }

    struct Axis {
        enum Scale { case linear, log }

        var title: String
        var min: Double
        var max: Double
        var scale: Scale = .linear
        var ticks: [Tick]

        /// A linear axis from the nice ticks around `low...high`, its ends on the first and last tick.
        static func linear(_ title: String, _ low: Double, _ high: Double, count: Int = 5, label: ([Double]) -> [String]) -> Axis {
            let values = NiceTicks.linear(low, high, count: count)
            return Axis(
                title: title, min: values.first ?? low, max: values.last ?? high, ticks: zip(values, label(values)).map(Tick.init)
            )
        }

        /// A log axis from the powers of ten around `low...high`.
        static func log(_ title: String, _ low: Double, _ high: Double, label: ([Double]) -> [String]) -> Axis {
            let values = NiceTicks.log10(low, high)
            return Axis(
                title: title, min: values.first ?? low, max: values.last ?? high, scale: .log,
                ticks: zip(values, label(values)).map(Tick.init)
            )
        }

        /// Where `value` falls between the ends, 0...1 (outside when the value is outside).
        func fraction(_ value: Double) -> Double {
            switch scale {
            case .linear:
                return max > min ? (value - min) / (max - min) : 0
            case .log:
                let low = Glibc.log10(min)
                let high = Glibc.log10(max)
                return high > low ? (Glibc.log10(Swift.max(value, min)) - low) / (high - low) : 0
            }
        }
    }

    struct Series {
        var name: String
        /// A CSS color.
        var color: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var x: Axis
    var y: Axis
    var series: [Series]
    var width = 760.0
    var height = 300.0

    private let left = 64.0
    private let right = 40.0
    private let top = 34.0
    private let bottom = 44.0

    init(title: String, x: Axis, y: Axis, series: [Series]) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
    }

    func render() -> String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func px(_ value: Double) -> Double { left + x.fraction(value) * plotWidth }
        func py(_ value: Double) -> Double { top + (1 - y.fraction(value)) * plotHeight }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\""
        svg += " width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\""
        svg += " font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"11\" fill=\"#4b5563\">\n"
        svg += "<text font-size=\"13\" font-weight=\"600\" fill=\"#111827\" x=\"\(n(left))\" y=\"18\">\(HTML.escape(title))</text>\n"
        for tick in y.ticks {
            let at = py(tick.value)
            svg += "<line stroke=\"#eef0f3\" x1=\"\(n(left))\" y1=\"\(n(at))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(at))\"/>"
            svg += "<text x=\"\(n(left - 6))\" y=\"\(n(at + 4))\" text-anchor=\"end\">\(HTML.escape(tick.label))</text>\n"
        }
        for tick in x.ticks {
            let at = px(tick.value)
            svg += "<line stroke=\"#eef0f3\" x1=\"\(n(at))\" y1=\"\(n(top))\" x2=\"\(n(at))\" y2=\"\(n(top + plotHeight))\"/>"
            svg += "<text x=\"\(n(at))\" y=\"\(n(top + plotHeight + 16))\" text-anchor=\"middle\">\(HTML.escape(tick.label))</text>\n"
        }
        svg += "<rect fill=\"none\" stroke=\"#d1d5db\" x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotWidth))\" height=\"\(n(plotHeight))\"/>\n"
        svg += "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">\(HTML.escape(x.title))</text>\n"
        svg += "<text transform=\"translate(14 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">"
        svg += "\(HTML.escape(y.title))</text>\n"

        if series.allSatisfy(\.points.isEmpty) {
            svg += "<text font-size=\"13\" fill=\"#9ca3af\" x=\"\(n(left + plotWidth / 2))\" y=\"\(n(top + plotHeight / 2))\" text-anchor=\"middle\">no data</text>\n"
        }
        for line in series where !line.points.isEmpty {
            let points = line.points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(points)\">"
            svg += "<title>\(HTML.escape(line.name))</title></polyline>\n"
            if line.points.count == 1, let only = line.points.first {
                // A single point draws no line; a dot shows where it is.
                svg += "<circle cx=\"\(n(px(only.x)))\" cy=\"\(n(py(only.y)))\" r=\"2.5\" fill=\"\(line.color)\"/>\n"
            }
        }
        // The legend sits right-aligned on the title line, last series rightmost.
        var legendRight = left + plotWidth
        for line in series.reversed() {
            let textWidth = Double(line.name.count) * 6.5
            svg += "<text x=\"\(n(legendRight))\" y=\"18\" text-anchor=\"end\">\(HTML.escape(line.name))</text>"
            svg += "<line x1=\"\(n(legendRight - textWidth - 22))\" y1=\"14\" x2=\"\(n(legendRight - textWidth - 6))\" y2=\"14\""
            svg += " stroke=\"\(line.color)\" stroke-width=\"2.5\"/>\n"
            legendRight -= textWidth + 34
        }
        svg += "</svg>\n"
        return svg
    }

    /// A coordinate with at most one decimal, never NaN (SVG has no spelling for it either).
    private func n(_ value: Double) -> String {
        Units.compact(((value.isFinite ? value : 0) * 10).rounded() / 10)
    }
}
