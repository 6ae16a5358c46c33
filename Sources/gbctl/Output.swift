import Foundation

/// Tables for people, JSON for scripts.
enum Output {
    static func json(_ data: Data) {
        if let object = try? JSONSerialization.jsonObject(with: data),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            print(String(decoding: pretty, as: UTF8.self))
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// Columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        for line in tableLines(header, rows) { print(line) }
    }

    static func tableLines(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return [line(header)] + rows.map(line)
    }

    /// `key  value` lines for one object, each after `indent`.
    static func fields(_ pairs: [(String, String)], indent: String = "") {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs { print(indent + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "-"
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: "\(value!)"
        }
    }

    /// Minor units as a decimal amount (2 decimals, as for most currencies).
    static func money(_ amount: Any?, _ currency: Any?) -> String {
        guard let minor = (amount as? NSNumber)?.intValue else { return "-" }
        let sign = minor < 0 ? "-" : ""
        let value = abs(minor)
        return "\(sign)\(value / 100).\(value % 100 < 10 ? "0" : "")\(value % 100) \(text(currency))"
    }
}
