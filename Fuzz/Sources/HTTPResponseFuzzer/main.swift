// libFuzzer target for the HTTP/1.1 response decoder (HTTP1ResponseDecoder over
// HTTP1ResponseParser, ResponseHeaderSemantics and ChunkedBodyDecoder), the reader of every
// answer HTTPClient and gbload get. libFuzzer provides main(); this file has no top-level code and
// is built with -parse-as-library (see scripts/fuzz.sh).
//
// Every input is the byte stream a server sent on one connection, answering one request. It is
// run with production limits and with tiny limits derived from its last byte, for a GET and (when
// the first byte is odd) a HEAD request. For each, it is decoded in one piece (an exact-size heap
// copy, so AddressSanitizer sees a read past the end), one byte at a time, and in pieces of a size
// derived from the first byte, each time with the connection closing after the last byte, the way
// a socket would deliver it: the next byte goes where `.needMore` says. Then:
//
//   1. every way of feeding agrees: the same head, the same body bytes, the same failure kind, the
//      same number of bytes left after the response (in the buffer or never fed);
//   2. events are coherent: one head, then body parts that follow one another and make up the
//      body of the end; the end lies inside what was received; `needMore` never points past it;
//   3. the head's bytes are untouched by in-place chunk decoding; a Content-Length or
//      close-delimited body is exactly the bytes after the head;
//   4. after the end or a failure, the decoder repeats it; a decoder reused after `reset` gives
//      the same result as a fresh one; without the close, a result it gave is the same as with it;
//   5. every call makes progress: a decoder that keeps answering without asking for more is a hang.
//
// Any broken invariant calls fatalError, which libFuzzer reports as a crash.

#if canImport(Glibc)
import Glibc
#endif
import HTTPCodec

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    for limits in limitSets(for: input) {
        for method in methods(for: input) {
            check(input, limits: limits, method: method)
        }
    }
    return 0
}

func limitSets(for input: [UInt8]) -> [HTTP1Limits] {
    let last = Int(input.last ?? 0)
    var tiny = HTTP1Limits()
    tiny.maxRequestLineBytes = 12 + (last & 0x1F) * 2
    tiny.maxHeaderBytes = 16 + (last >> 5) * 24
    tiny.maxHeaderCount = 1 + last % 7
    tiny.maxBodyBytes = last % 61
    return [HTTP1Limits(), tiny]
}

func methods(for input: [UInt8]) -> [HTTPMethod] {
    (input.first ?? 0) & 1 == 1 ? [.get, .head] : [.get]
}

@inline(never)
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("HTTPResponseFuzzer: invariant broken: \(message())")
    }
}

// MARK: - Feeding

/// What one way of feeding the bytes ended with.
struct Outcome: Equatable {
    enum Ending: Equatable {
        case end(body: [UInt8])
        case failed(String)
        /// Still waiting for more when the bytes ran out (only without the close).
        case waiting
    }

    var head: ResponseHead?
    var ending: Ending
    /// Bytes after the response: received past its end, or never fed.
    var leftover: Int
}

/// Failures compared by kind: the reason of an invalid response may depend on how far the
/// parser could see (a limit on a prefix, a syntax error in the whole).
func kind(_ failure: HTTP1ResponseDecoder.Failure) -> String {
    switch failure {
    case .invalid: "invalid"
    case .tooLarge: "tooLarge"
    case .truncated: "truncated"
    }
}

/// Feeds `input` in pieces of `piece` bytes (0: one exact-size piece), honouring `receiveAt`.
func feed(
    _ input: [UInt8],
    piece: Int,
    close: Bool,
    decoder: inout HTTP1ResponseDecoder,
    tableCount: Int
) -> Outcome {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(input.count, 1), alignment: 1)
    defer { storage.deallocate() }
    let table = UnsafeMutableBufferPointer<HeaderEntry>.allocate(capacity: max(tableCount, 1))
    defer { table.deallocate() }
    table.initialize(repeating: HeaderEntry(name: .empty, value: .empty))
    let headers = UnsafeMutableBufferPointer(rebasing: table[0..<tableCount])

    var received = 0
    var offset = 0
    var head: ResponseHead?
    var partsEnd = -1
    var headCopy: [UInt8] = []

    func finish(_ event: HTTP1ResponseDecoder.Event, buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        switch event {
        case .end(let body, let end):
            require(head != nil, "an end without a head")
            require(Int(body.start) == head!.length && body.count >= 0 && body.end <= end && end <= received,
                    "end \(end) / body \(body) outside \(received) received bytes (head \(head!.length))")
            require(partsEnd == -1 || partsEnd == body.end, "body parts end at \(partsEnd), the body at \(body.end)")
            require(Array(buffer[0..<head!.length]) == headCopy, "the head's bytes changed while the body was decoded")
            let bytes = Array(buffer[Int(body.start)..<body.end])
            switch head!.framing {
            case .none:
                require(bytes.isEmpty, "a bodiless response with \(bytes.count) body bytes")
            case .contentLength(let length):
                require(bytes.count == length && bytes == Array(input[head!.length..<head!.length + length]),
                        "a Content-Length body that is not the bytes after the head")
            case .untilClose:
                require(bytes == Array(input[head!.length..<input.count]), "a close-delimited body that is not the rest")
            case .chunked:
                break
            }
            // Repeats until reset, also when asked again or told of a close.
            require(decoder.next(buffer, headers: headers) == event, "the end did not repeat")
            require(decoder.connectionClosed(received: received) == event, "a close after the end changed it")
            return Outcome(head: head, ending: .end(body: bytes), leftover: received - end + input.count - offset)
        case .failed(let failure):
            require(decoder.next(buffer, headers: headers) == event, "the failure did not repeat")
            return Outcome(head: head, ending: .failed(kind(failure)), leftover: 0)
        case .needMore, .head, .body:
            fatalError("not a final event: \(event)")
        }
    }

    while offset < input.count {
        let count = piece == 0 ? input.count : min(piece, input.count - offset)
        input.withUnsafeBytes { source in
            (storage.baseAddress! + received).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        received += count
        offset += count
        // A one-piece run hands over the exact-size allocation; the others a prefix of it.
        var events = 0
        while true {
            let buffer = UnsafeMutableRawBufferPointer(rebasing: storage[0..<received])
            let event = decoder.next(buffer, headers: headers)
            events += 1
            require(events <= received + 4, "\(events) events for \(received) bytes without asking for more: a hang")
            switch event {
            case .needMore(let receiveAt):
                require(receiveAt >= 0 && receiveAt <= received, "needMore(receiveAt: \(receiveAt)) with \(received) received")
                require(head == nil || receiveAt >= partsEnd, "needMore(receiveAt: \(receiveAt)) inside the body (\(partsEnd))")
                received = receiveAt
            case .head(let parsed):
                require(head == nil, "a second head")
                require(parsed.length <= received && parsed.headerCount <= tableCount, "head \(parsed) outside the bytes or the table")
                require(!(100...199).contains(parsed.status) && parsed.status != 101, "an interim head \(parsed.status) reported")
                for entry in headers[0..<parsed.headerCount] {
                    require(entry.name.end <= parsed.length && entry.value.end <= parsed.length, "a header outside the head")
                }
                head = parsed
                partsEnd = parsed.length
                headCopy = Array(buffer[0..<parsed.length])
            case .body(let part):
                require(head != nil, "body before the head")
                require(Int(part.start) == partsEnd && part.count > 0 && part.end <= received,
                        "part \(part) does not follow \(partsEnd) inside \(received) bytes")
                partsEnd = part.end
            case .end, .failed:
                return finish(event, buffer: buffer)
            }
            if case .needMore = event { break }
        }
    }
    let buffer = UnsafeMutableRawBufferPointer(rebasing: storage[0..<received])
    guard close else { return Outcome(head: head, ending: .waiting, leftover: 0) }
    let event = decoder.connectionClosed(received: received)
    switch event {
    case .end, .failed: return finish(event, buffer: buffer)
    default: fatalError("a close answered with \(event)")
    }
}

// MARK: - Checks

func check(_ input: [UInt8], limits: HTTP1Limits, method: HTTPMethod) {
    let tableCount = limits.maxHeaderCount
    func run(piece: Int, close: Bool = true) -> Outcome {
        var decoder = HTTP1ResponseDecoder(limits: limits, requestMethod: method)
        return feed(input, piece: piece, close: close, decoder: &decoder, tableCount: tableCount)
    }
    let whole = run(piece: 0)
    let pieceSize = 1 + Int(input.first ?? 0) % 17
    for piece in [1, pieceSize] {
        let other = run(piece: piece)
        require(other == whole, "one piece gave \(whole), pieces of \(piece) gave \(other)")
    }
    // A reused decoder forgets everything.
    var reused = HTTP1ResponseDecoder(limits: limits, requestMethod: method == .head ? .get : .head)
    _ = feed(input, piece: pieceSize, close: true, decoder: &reused, tableCount: tableCount)
    reused.reset(requestMethod: method)
    let again = feed(input, piece: 0, close: true, decoder: &reused, tableCount: tableCount)
    require(again == whole, "after reset: \(again), fresh: \(whole)")
    // Without the close, whatever it decided stands.
    let open = run(piece: 0, close: false)
    if open.ending != .waiting { require(open == whole, "without the close: \(open), with it: \(whole)") }
}
