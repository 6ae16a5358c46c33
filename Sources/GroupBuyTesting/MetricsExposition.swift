/// The samples of a Prometheus text exposition (format 0.0.4), for tests that check what
/// /metrics says: each sample's series (name and labels, labels sorted) and value.
public struct MetricsExposition: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        /// Sorted by label name.
        public var labels: [(name: String, value: String)]
        public var value: Double

        /// `name{a="1",b="2"}` with the labels sorted: equal for the same series.
        public var series: String {
            labels.isEmpty ? name : name + "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        }

        public static func == (lhs: Sample, rhs: Sample) -> Bool {
            lhs.series == rhs.series && lhs.value == rhs.value
        }
    }

    public let samples: [Sample]
    /// Lines that are neither comments nor samples.
    public let malformed: [String]

    public init(_ text: String) {
        var samples: [Sample] = []
        var malformed: [String] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.allSatisfy(\.isWhitespace) {
            if let sample = Self.parse(line) { samples.append(sample) } else { malformed.append(String(line)) }
        }
        self.samples = samples
        self.malformed = malformed
    }

    /// Series that appear more than once (a scraper would reject or mix them up).
    public var duplicateSeries: [String] {
        var seen: Set<String> = []
        var duplicates: [String] = []
        for sample in samples where !seen.insert(sample.series).inserted { duplicates.append(sample.series) }
        return duplicates
    }

    public func samples(named name: String) -> [Sample] {
        samples.filter { $0.name == name }
    }

    private static func parse(_ line: Substring) -> Sample? {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard !name.isEmpty else { return nil }
        rest = rest[name.endIndex...]
        var labels: [(name: String, value: String)] = []
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].first == "\"" else { return nil }
                let label = rest[..<equals].trimmingPrefix(",")
                rest = rest[rest.index(equals, offsetBy: 2)...]
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() }
                labels.append((String(label), value))
                guard !rest.isEmpty else { return nil }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || fields.count == 2, let value = Double(fields[0]) ?? Self.special(fields[0]) else { return nil }
        return Sample(name: String(name), labels: labels.sorted { $0.name < $1.name }, value: value)
    }

    private static func special(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: nil
        }
    }
}
