import OpenSSL

/// The provider's webhook signature, Stripe style:
///
///     PSP-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<raw body>")>
///
/// The timestamp is signed with the body, so a captured delivery cannot be replayed with a
/// fresh `t`; receivers refuse timestamps too far from their clock in either direction.
/// Several `v1=` entries may be present (a sender rolling its secret signs with both); any
/// match passes.
public enum WebhookSignature {
    /// The header the signature travels in.
    public static let headerName = "PSP-Signature"
    /// The default tolerance between the signed timestamp and the receiver's clock.
    public static let defaultTolerance: Int64 = 300

    /// The header value for `body` signed with `secret` at `timestamp` (unix seconds).
    public static func sign(body: some Collection<UInt8>, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(Hex.encode(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Checks `header` against `body` with `secret`; throws what is wrong, returns the signed timestamp.
    /// `tolerance` is in seconds and applies in both directions around `now`.
    @discardableResult
    public static func verify(
        header: String,
        body: some Collection<UInt8>,
        secret: String,
        now: Int64,
        tolerance: Int64 = defaultTolerance
    ) throws(WebhookSignatureError) -> Int64 {
        var timestamp: Int64?
        var signatures: [Substring] = []
        for element in header.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = element.trimmingSpaces
            guard let equals = trimmed.firstIndex(of: "=") else { throw .malformedHeader }
            let key = trimmed[..<equals]
            let value = trimmed[trimmed.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil, let parsed = Int64(value), parsed >= 0 else { throw .malformedHeader }
                timestamp = parsed
            case "v1":
                signatures.append(value)
            default:
                continue  // other schemes (v0, future ones) are not ours to judge
            }
        }
        guard let timestamp else { throw .malformedHeader }
        guard !signatures.isEmpty else { throw .noSignature }
        let expected = mac(body: body, secret: secret, timestamp: timestamp)
        // Every candidate is compared, in constant time each: no early exit tells which matched.
        var matched = false
        for signature in signatures {
            let candidate = Hex.decode(signature) ?? []
            if constantTimeEquals(candidate, expected) { matched = true }
        }
        guard matched else { throw .signatureMismatch }
        guard abs(now - timestamp) <= tolerance else { throw .timestampOutsideTolerance }
        return timestamp
    }

    private static func mac(body: some Collection<UInt8>, secret: String, timestamp: Int64) -> [UInt8] {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        return HMAC.sha256(key: Array(secret.utf8), message: message)
    }
}

/// Why a webhook signature was refused.
public enum WebhookSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a list of `key=value` entries with exactly one numeric `t`.
    case malformedHeader
    /// No `v1=` entry.
    case noSignature
    /// The signature is right but `t` is further from now than the tolerance allows.
    case timestampOutsideTolerance
    /// No `v1` entry matches the body and timestamp under the secret.
    case signatureMismatch

    public var description: String {
        switch self {
        case .malformedHeader: "malformed signature header"
        case .noSignature: "no v1 signature in the header"
        case .timestampOutsideTolerance: "signature timestamp outside the tolerance"
        case .signatureMismatch: "signature does not match"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
