extension Collection<UInt8> {
    /// Calls `body` with the bytes in contiguous memory: in place when the collection has
    /// contiguous storage (arrays, their slices, native strings' UTF-8 views), otherwise from
    /// a temporary copy. The pointer is never nil, even for no bytes, because OpenSSL refuses a
    /// NULL key even when its length is 0 (`HMAC` returns NULL; checked on 3.0).
    func withContiguousBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = withContiguousStorageIfAvailable({ buffer in
            buffer.isEmpty ? Self.withEmptyBytes(body) : body(UnsafeRawBufferPointer(buffer))
        }) {
            return result
        }
        let copy = Array(self)
        if copy.isEmpty { return Self.withEmptyBytes(body) }
        return copy.withUnsafeBytes(body)
    }

    private static func withEmptyBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let placeholder: UInt8 = 0
        return withUnsafePointer(to: placeholder) { body(UnsafeRawBufferPointer(start: $0, count: 0)) }
    }
}
