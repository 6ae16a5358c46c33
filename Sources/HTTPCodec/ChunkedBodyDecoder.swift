/// Decodes a chunked request body (RFC 9112 §7.1) in place: chunk data is moved down over
/// the chunk-size lines it followed, so the decoded body ends up contiguous right after the
/// head with no second buffer. Decoded bytes never overtake raw ones, so the move is safe.
///
/// Offsets are relative to the start of the request. Between calls the caller may move the
/// whole request (compact or grow its buffer) but must keep those relative offsets.
public struct ChunkedBodyDecoder: Sendable {
    /// The outcome of one `decode` call.
    public enum Progress: Sendable, Hashable {
        case needMore
        /// The body and its trailer section are complete; the next request starts at `end`.
        case complete(end: Int)
        case failed(HTTPParseError)
    }

    private enum State: Sendable {
        case size, sizeWhitespace, chunkExtension, sizeLF
        case data, dataCR, dataLF
        case trailerStart, trailerLine, trailerLF, finalLF
        case done
    }

    private let limits: HTTP1Limits
    private let bodyStart: Int
    private var state = State.size
    private var readPosition: Int
    private var decodedEnd: Int
    private var chunkSize: UInt64 = 0
    private var sizeDigits = 0
    private var chunkRemaining = 0
    private var isLastChunk = false
    private var trailerLineStart = 0
    private var trailerCount = 0
    private var trailerBytes = 0

    /// `bodyStart` is the head's length: where the first chunk-size line begins.
    public init(bodyStart: Int, limits: HTTP1Limits) {
        self.limits = limits
        self.bodyStart = bodyStart
        self.readPosition = bodyStart
        self.decodedEnd = bodyStart
    }

    /// Where the decoded body is, relative to the request start.
    public var decodedBody: ByteRange { ByteRange(start: bodyStart, count: decodedEnd - bodyStart) }

    /// Forgets framing bytes already decoded, so the caller can reuse their space: returns
    /// where the next received byte should go (relative to the request start). Trailer
    /// lines are kept until complete, since they are validated as a whole.
    public mutating func discardConsumedInput() -> Int {
        switch state {
        case .trailerStart, .trailerLine, .trailerLF, .finalLF, .done:
            return readPosition
        default:
            readPosition = decodedEnd
            return readPosition
        }
    }

    /// Decodes what has arrived: `request` holds the request from its first byte to the last byte received.
    public mutating func decode(_ request: UnsafeMutableRawBufferPointer) -> Progress {
        let end = request.count
        let bytes = UnsafeRawBufferPointer(request)
        while readPosition < end {
            if state == .data {
                let count = min(chunkRemaining, end - readPosition)
                if decodedEnd != readPosition {
                    (request.baseAddress! + decodedEnd).copyMemory(from: request.baseAddress! + readPosition, byteCount: count)
                }
                decodedEnd += count
                readPosition += count
                chunkRemaining -= count
                if chunkRemaining == 0 { state = .dataCR }
                continue
            }
            let byte = bytes[readPosition]
            readPosition += 1
            if let error = step(byte, bytes: bytes) { return .failed(error) }
            if state == .done { return .complete(end: readPosition) }
        }
        return .needMore
    }

    private mutating func step(_ byte: UInt8, bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        switch state {
        case .size:
            if let digit = ByteClass.hexValue(byte) {
                sizeDigits += 1
                guard sizeDigits <= 16 else { return .bad("chunk size too long") }
                chunkSize = chunkSize << 4 | digit
                guard chunkSize <= UInt64(limits.maxBodyBytes) else { return Self.tooLarge }
                return nil
            }
            guard sizeDigits > 0 else { return .bad("invalid chunk size") }
            switch byte {
            case ByteClass.cr: state = .sizeLF
            case 59 /* ; */: state = .chunkExtension
            case ByteClass.space, ByteClass.tab: state = .sizeWhitespace
            default: return .bad("invalid chunk size")
            }
        case .sizeWhitespace:
            // BWS is allowed only before a chunk extension.
            if byte == 59 {
                state = .chunkExtension
            } else if !ByteClass.isWhitespace(byte) {
                return .bad("invalid chunk size")
            }
        case .chunkExtension:
            // Extensions are ignored (RFC 9112 §7.1.1) but must be free of control characters.
            if byte == ByteClass.cr {
                state = .sizeLF
            } else if !ByteClass.isFieldValue(byte) {
                return .bad("invalid chunk extension")
            }
        case .sizeLF:
            guard byte == ByteClass.lf else { return .bad("chunk size line without CRLF") }
            return startChunk()
        case .dataCR:
            guard byte == ByteClass.cr else { return .bad("chunk data longer than its size") }
            state = .dataLF
        case .dataLF:
            guard byte == ByteClass.lf else { return .bad("chunk data without CRLF") }
            state = .size
        case .trailerStart:
            if byte == ByteClass.cr {
                state = .finalLF
            } else {
                trailerLineStart = readPosition - 1
                state = .trailerLine
            }
        case .trailerLine:
            if byte == ByteClass.cr { state = .trailerLF }
            if byte == ByteClass.lf { return .bad("bare LF in trailer") }
        case .trailerLF:
            guard byte == ByteClass.lf else { return .bad("trailer line without CRLF") }
            return finishTrailerLine(bytes)
        case .finalLF:
            guard byte == ByteClass.lf else { return .bad("chunked body without final CRLF") }
            state = .done
        case .data, .done:
            preconditionFailure("handled by decode")
        }
        return nil
    }

    private mutating func startChunk() -> HTTPParseError? {
        if chunkSize == 0 {
            state = .trailerStart
            return nil
        }
        guard decodedEnd - bodyStart + Int(chunkSize) <= limits.maxBodyBytes else { return Self.tooLarge }
        chunkRemaining = Int(chunkSize)
        chunkSize = 0
        sizeDigits = 0
        state = .data
        return nil
    }

    private mutating func finishTrailerLine(_ bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        let lineEnd = readPosition - 2
        trailerCount += 1
        trailerBytes += readPosition - trailerLineStart
        guard trailerCount <= limits.maxHeaderCount else { return HTTP1RequestParser.tooManyHeaders }
        guard trailerBytes <= limits.maxHeaderBytes else { return HTTP1RequestParser.headersTooLarge }
        if case .failure(let error) = HTTP1RequestParser.parseField(bytes, start: trailerLineStart, end: lineEnd) {
            return error
        }
        state = .trailerStart
        return nil
    }

    static let tooLarge = HTTPParseError(status: 413, reason: "body too large")
}
