import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of bytes inside a request's buffer: no copy is made to create one.
///
/// A view keeps its buffer alive and unchanged for as long as it exists; the server only
/// reuses a buffer nobody else holds. Keeping views beyond the request costs the pool that
/// buffer, so copy out (`string`, `bytes`) what must outlive the request.
public struct ByteView: Sendable, CustomStringConvertible {
    let chunk: BufferChunk
    let start: Int
    /// Number of bytes.
    public let count: Int

    init(chunk: BufferChunk, start: Int, count: Int) {
        self.chunk = chunk
        self.start = start
        self.count = count
    }

    /// Whether the view is empty.
    @inline(__always)
    public var isEmpty: Bool { count == 0 }

    /// Calls `body` with the bytes; the pointer must not escape the call.
    @inline(__always)
    public func withUnsafeBytes<Result, Failure>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: chunk.base + start, count: count))
    }

    /// One byte.
    @inline(__always)
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "ByteView index out of range")
        return chunk.base.load(fromByteOffset: start + position, as: UInt8.self)
    }

    /// A view of part of this view.
    public func slice(from lower: Int, to upper: Int) -> ByteView {
        precondition(lower >= 0 && lower <= upper && upper <= count, "ByteView slice out of range")
        return ByteView(chunk: chunk, start: start + lower, count: upper - lower)
    }

    /// A copy as a String (invalid UTF-8 is repaired with U+FFFD).
    public var string: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// A copy as bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    public var description: String { string }

    /// Byte-for-byte equality with a literal.
    @inline(__always)
    public func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        return memcmp(chunk.base + start, literal.utf8Start, count) == 0
    }

    /// Byte-for-byte equality with a string.
    public func equals(_ other: String) -> Bool {
        var other = other
        return other.withUTF8 { utf8 in
            utf8.count == count && (count == 0 || memcmp(chunk.base + start, utf8.baseAddress!, count) == 0)
        }
    }

    /// ASCII case-insensitive equality with a lower-case literal (header names, tokens).
    @inline(__always)
    public func equalsIgnoringCase(_ lowercaseLiteral: StaticString) -> Bool {
        guard count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        let literal = lowercaseLiteral.utf8Start
        for index in 0..<count {
            var byte = self[index]
            if byte >= 65 && byte <= 90 { byte |= 0x20 }
            if byte != literal[index] { return false }
        }
        return true
    }

    /// The bytes as a non-negative decimal integer, or nil.
    public var decimalValue: Int? {
        guard count > 0 && count <= 18 else { return nil }
        var value = 0
        for index in 0..<count {
            let byte = self[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}

extension ByteView: Equatable {
    public static func == (lhs: ByteView, rhs: ByteView) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}
