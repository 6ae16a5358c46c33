import HTTPServer

extension Request {
    /// The `{name}` path segment as a positive 64-bit id; nil for anything else (which the
    /// caller answers with 404: such a resource cannot exist).
    func id(_ name: String) -> Int64? {
        guard let value = pathParameters[name]?.decimalValue, value > 0 else { return nil }
        return Int64(value)
    }
}
