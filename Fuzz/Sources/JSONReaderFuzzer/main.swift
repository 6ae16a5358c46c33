// libFuzzer target for the strict JSON reader (Sources/StrictJSON). libFuzzer provides main();
// this file has no top-level code and is built with -parse-as-library (see scripts/fuzz.sh).
//
// Every input is one request body, read with the production limits and with tiny limits
// derived from its last byte (so the depth, size and number-length refusals are reached with
// short inputs). The input is an exact-size heap copy, so AddressSanitizer sees any read past
// its end. Checked for each input:
//
//   1. A refusal points inside the input (its offset is at most the input's length).
//   2. An accepted document holds no U+0000 and no number that is not finite.
//   3. Against Foundation's JSONDecoder (FoundationJSON.swift, shared with the tests): what we
//      accept, Foundation accepts with the same meaning (`FoundationJSON.agree`); what Foundation
//      accepts and we refuse is one of our deliberate refusals (a repeated name, NUL, nesting or
//      number length beyond the limits, a trailing comma, a byte order mark, UTF-16 or UTF-32).
//   4. Tiny limits change only what a limit refuses: an accepted document is the same value
//      as with the production limits, and a refusal for any other reason is the same error.
//
// A broken invariant calls fatalError with the input in hex, which libFuzzer reports as a crash.

#if canImport(Glibc)
import Glibc
#endif
import StrictJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { copy.deallocate() }
    copy.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
    let input = UnsafeRawBufferPointer(copy)

    let production = read(input, limits: JSONReader.Limits())
    checkOffsets(production, input)
    switch production {
    case .success(let value):
        require(isStorable(value), "accepted a NUL or a non-finite number", input)
    case .failure:
        break
    }
    compareWithFoundation(production, input)

    let last = Int(input.last ?? 0)
    let tiny = JSONReader.Limits(maxBytes: 4 + last * 4, maxDepth: 1 + last % 5, maxNumberBytes: 1 + last % 23)
    let limited = read(input, limits: tiny)
    checkOffsets(limited, input)
    switch limited {
    case .success(let value):
        require(production == .success(value), "tiny limits accepted another value", input)
    case .failure(let error) where !isLimit(error.kind):
        require(production == .failure(error), "tiny limits refused for another reason: \(error)", input)
    case .failure:
        break
    }
    return 0
}

func read(_ input: UnsafeRawBufferPointer, limits: JSONReader.Limits) -> Result<JSONValue, JSONReadError> {
    Result { () throws(JSONReadError) in try JSONReader.read(input, limits: limits) }
}

func checkOffsets(_ result: Result<JSONValue, JSONReadError>, _ input: UnsafeRawBufferPointer) {
    guard case .failure(let error) = result else { return }
    require((0...input.count).contains(error.offset), "offset \(error.offset) outside the input", input)
}

func compareWithFoundation(_ ours: Result<JSONValue, JSONReadError>, _ input: UnsafeRawBufferPointer) {
    let theirs = FoundationJSON.decode(Array(input))
    switch (ours, theirs) {
    case (.success(let value), let theirs?):
        require(FoundationJSON.agree(value, theirs), "Foundation read \(theirs), we read \(value)", input)
    case (.success(let value), nil):
        fail("accepted what Foundation refuses, as \(value)", input)
    case (.failure(let error), _?):
        require(isDeliberate(error, input), "refused what Foundation accepts: \(error)", input)
    case (.failure, nil):
        break
    }
}

/// Refusals where we are stricter than Foundation on purpose.
func isDeliberate(_ error: JSONReadError, _ input: UnsafeRawBufferPointer) -> Bool {
    // RFC 8259 §8.1: UTF-8 only, without a byte order mark. Foundation also takes UTF-16 and
    // UTF-32, which it detects by a byte order mark or by NUL bytes among the first four.
    if input.prefix(4).contains(0) || input.starts(with: [0xEF, 0xBB, 0xBF]) || input.starts(with: [0xFE, 0xFF])
        || input.starts(with: [0xFF, 0xFE])
    {
        return true
    }
    switch error.kind {
    case .duplicateMember, .nulCharacter, .tooDeep, .numberTooLong:
        return true
    case .unexpectedByte(let byte, _) where byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}"):
        // A trailing comma: the last byte before it, whitespace aside, is ','.
        let before = input[..<error.offset].last { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return before == UInt8(ascii: ",")
    default:
        return false
    }
}

func isLimit(_ kind: JSONReadError.Kind) -> Bool {
    switch kind {
    case .tooLarge, .tooDeep, .numberTooLong: true
    default: false
    }
}

func isStorable(_ value: JSONValue) -> Bool {
    switch value {
    case .null, .bool, .integer: true
    case .number(let number): number.isFinite
    case .string(let text): !text.utf8.contains(0)
    case .array(let elements): elements.allSatisfy(isStorable)
    case .object(let members): members.allSatisfy { !$0.key.utf8.contains(0) && isStorable($0.value) }
    }
}

func require(_ condition: Bool, _ message: @autoclosure () -> String, _ input: UnsafeRawBufferPointer) {
    if !condition { fail(message(), input) }
}

func fail(_ message: String, _ input: UnsafeRawBufferPointer) -> Never {
    let hex = input.prefix(512).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    fatalError("\(message)\ninput (\(input.count) bytes): \(hex)")
}
