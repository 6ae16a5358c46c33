import HTTPCodec
import Observability

/// Writes JSON into a `BodyWriter` as it goes: no intermediate values, no allocation.
///
///     context.writeBody { body in
///         var json = JSONWriter(&body)   // use within the closure
///         json.object { $0.field("message", "Hello, World!") }
///     }
public struct JSONWriter: ~Copyable {
    private let output: UnsafeMutablePointer<BodyWriter>
    private var needsComma = false

    /// Writes into `output`, which must outlive this writer (use within one scope).
    public init(_ output: UnsafeMutablePointer<BodyWriter>) {
        self.output = output
    }

    /// `{ ... }` with fields written by `body`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        output.pointee.write("{")
        var inner = JSONWriter(output)
        body(&inner)
        output.pointee.write("}")
    }

    /// `[ ... ]` with elements written by `body`.
    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        separate()
        output.pointee.write("[")
        var inner = JSONWriter(output)
        body(&inner)
        output.pointee.write("]")
    }

    /// A member name inside an object; follow it with exactly one value.
    public mutating func key(_ name: String) {
        separate()
        writeString(name)
        output.pointee.write(":")
        needsComma = false
    }

    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    public mutating func int(_ value: Int) {
        separate()
        if value == Int.min {
            // The one value whose magnitude does not fit in an Int.
            output.pointee.write("-9223372036854775808")
        } else if value < 0 {
            output.pointee.write("-")
            output.pointee.withByteWriter(minimumCapacity: 20) { $0.writeDecimal(-value) }
        } else {
            output.pointee.withByteWriter(minimumCapacity: 20) { $0.writeDecimal(value) }
        }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        output.pointee.write(value ? "true" : "false")
    }

    /// Writes `text`, which must already be one valid JSON value (e.g. jsonb text from
    /// PostgreSQL, or a representation rendered earlier by this writer), as it is.
    public mutating func rawJSON(_ text: String) {
        separate()
        output.pointee.write(text)
    }

    /// Writes pre-rendered JSON bytes as one value (see `rawJSON(_: String)`).
    public mutating func rawJSON(_ bytes: UnsafeRawBufferPointer) {
        separate()
        output.pointee.write(bytes)
    }

    public mutating func null() {
        separate()
        output.pointee.write("null")
    }

    private mutating func separate() {
        if needsComma { output.pointee.write(",") }
        needsComma = true
    }

    private func writeString(_ value: String) {
        output.pointee.write("\"")
        var value = value
        value.withUTF8 { utf8 in
            JSONEscaping.escape(UnsafeRawBufferPointer(utf8)) { output.pointee.write($0) }
        }
        output.pointee.write("\"")
    }
}

extension BodyWriter {
    /// Writes JSON into this body.
    public mutating func json(_ body: (inout JSONWriter) -> Void) {
        withUnsafeMutablePointer(to: &self) { pointer in
            var writer = JSONWriter(pointer)
            body(&writer)
        }
    }
}
