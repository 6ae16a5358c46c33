/// Writes bytes into fixed memory without allocating. Writes that do not fit are dropped
/// and `overflowed` is set, so a caller composes many writes and checks once.
public struct ByteWriter {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0
    /// Whether a write did not fit.
    public private(set) var overflowed = false
    /// Bytes of the writes that did not fit, so a retry knows the capacity it needs.
    private var droppedBytes = 0

    /// The capacity that would have held every write so far.
    public var requiredCapacity: Int { count + droppedBytes }

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.base = buffer.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
        self.capacity = buffer.count
    }

    /// Bytes still free.
    @inline(__always)
    public var remaining: Int { capacity - count }

    @inline(__always)
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= remaining else {
            overflowed = true
            droppedBytes += bytes.count
            return
        }
        if bytes.count > 0 { (base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        count += bytes.count
    }

    @inline(__always)
    public mutating func write(_ string: StaticString) {
        write(UnsafeRawBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    /// Writes a string's UTF-8 bytes (no allocation for native strings).
    @inline(__always)
    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    public mutating func write(byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            droppedBytes += 1
            return
        }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Writes a non-negative integer in decimal.
    @inline(__always)
    public mutating func writeDecimal(_ value: Int) {
        precondition(value >= 0)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch on the stack
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                scratch[position] = UInt8(48 + rest % 10)
                rest /= 10
            } while rest > 0
            write(UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }

    /// Writes a value in lower-case hexadecimal (chunk sizes).
    @inline(__always)
    public mutating func writeHexadecimal(_ value: Int) {
        precondition(value >= 0)
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                let nibble = UInt8(rest & 15)
                scratch[position] = nibble < 10 ? 48 + nibble : 87 + nibble
                rest >>= 4
            } while rest > 0
            write(UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }
}
