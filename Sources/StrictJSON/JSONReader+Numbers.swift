extension JSONReader {
    /// The number that starts at `index` (RFC 8259 §6): `.integer` when its literal is exactly
    /// a whole number within Int64, otherwise the nearest Double.
    mutating func number() throws(JSONReadError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let integer = try digits(leadingZeroAllowed: false)
        var fraction = index..<index
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = try digits(leadingZeroAllowed: true)
        }
        var exponent = 0
        if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var negativeExponent = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            for position in try digits(leadingZeroAllowed: true) {
                // Saturates: anything this far out is zero or infinite either way.
                exponent = min(exponent * 10 + Int(bytes[position] - UInt8(ascii: "0")), 1_000_000)
            }
            if negativeExponent { exponent = -exponent }
        }
        guard index - start <= limits.maxNumberBytes else {
            throw JSONReadError(.numberTooLong(limit: limits.maxNumberBytes), offset: start)
        }
        if let whole = exactInteger(negative: negative, integer: integer, fraction: fraction, exponent: exponent) {
            return .integer(whole)
        }
        // Swift's parser rounds correctly (as strtod does); only the grammar above reaches it.
        guard let double = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
            double.isFinite
        else { throw JSONReadError(.numberOutOfRange, offset: start) }
        return .number(double)
    }

    /// One or more digits at `index`; a first "0" followed by more digits only where allowed.
    private mutating func digits(leadingZeroAllowed: Bool) throws(JSONReadError) -> Range<Int> {
        let start = index
        while index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > start, leadingZeroAllowed || bytes[start] != UInt8(ascii: "0") || index == start + 1 else {
            throw JSONReadError(.invalidNumber, offset: start)
        }
        return start..<index
    }

    /// The value of `±integer.fraction × 10^exponent` when it is a whole number within Int64.
    private func exactInteger(negative: Bool, integer: Range<Int>, fraction: Range<Int>, exponent: Int) -> Int64? {
        // The digits of both parts as one sequence, the decimal point after `integer`.
        let count = integer.count + fraction.count
        func digit(_ position: Int) -> UInt64 {
            let byte = position < integer.count ? bytes[integer.lowerBound + position] : bytes[fraction.lowerBound + position - integer.count]
            return UInt64(byte - UInt8(ascii: "0"))
        }
        guard let first = (0..<count).first(where: { digit($0) != 0 }) else { return 0 }
        let last = (0..<count).last(where: { digit($0) != 0 })!
        // Trailing zeros move into the scale; a negative scale leaves a fraction.
        let scale = exponent - fraction.count + (count - 1 - last)
        guard scale >= 0, last - first + 1 + scale <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for position in first...last { magnitude = magnitude * 10 + digit(position) }
        for _ in 0..<scale {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = product
        }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
