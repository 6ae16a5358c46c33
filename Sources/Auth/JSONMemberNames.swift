#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Finds repeated member names at the top level of a JSON object. RFC 7515 §4 and RFC 7519 §4
/// let a verifier either refuse them or take the last one; swift-foundation's JSONDecoder
/// takes the first, so `{"alg":"HS256","alg":"none"}` would mean something else to a
/// last-wins parser. We refuse instead.
enum JSONMemberNames {
    /// Whether `json`, already accepted by JSONDecoder as an object, repeats a top-level name.
    static func containDuplicates(_ json: [UInt8]) -> Bool {
        var names = Set<String>()
        var depth = 0
        var expectingName = false
        var index = 0
        while index < json.count {
            switch json[index] {
            case UInt8(ascii: "{"):
                depth += 1
                expectingName = depth == 1
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ",") where depth == 1:
                expectingName = true
            case UInt8(ascii: "\""):
                let start = index
                index = closingQuote(in: json, after: start)
                if depth == 1 && expectingName {
                    guard names.insert(name(json[start...index])).inserted else { return true }
                    expectingName = false
                }
            default:
                break
            }
            index += 1
        }
        return false
    }

    /// The index of the quote ending the string that opens at `start` (the JSON is valid).
    private static func closingQuote(in json: [UInt8], after start: Int) -> Int {
        var index = start + 1
        while index < json.count && json[index] != UInt8(ascii: "\"") {
            index += json[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return index
    }

    /// The name a quoted JSON string stands for: escapes matter, `"\u0061lg"` is "alg".
    private static func name(_ quoted: ArraySlice<UInt8>) -> String {
        guard quoted.contains(UInt8(ascii: "\\")) else {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: quoted, as: UTF8.self)
    }
}
