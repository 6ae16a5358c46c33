/// Request methods the server knows by name; anything else is `.other`.
public enum HTTPMethod: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case get, head, post, put, delete, patch, options, trace, connect, other

    /// Matches the method token (case-sensitive, RFC 9110 §9.1).
    @inline(__always)
    static func recognise(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange) -> HTTPMethod {
        let start = Int(range.start)
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            guard Int(range.count) == literal.utf8CodeUnitCount else { return false }
            return memcmp(bytes.baseAddress! + start, literal.utf8Start, literal.utf8CodeUnitCount) == 0
        }
        switch range.count {
        case 3: return equals("GET") ? .get : equals("PUT") ? .put : .other
        case 4: return equals("POST") ? .post : equals("HEAD") ? .head : .other
        case 5: return equals("PATCH") ? .patch : equals("TRACE") ? .trace : .other
        case 6: return equals("DELETE") ? .delete : .other
        case 7: return equals("OPTIONS") ? .options : equals("CONNECT") ? .connect : .other
        default: return .other
        }
    }

    /// The method token, for known methods.
    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .patch: "PATCH"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .connect: "CONNECT"
        case .other: "OTHER"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
