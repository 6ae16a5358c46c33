import StrictJSON
import Testing

@Suite struct JSONObjectTests {
    @Test func membersKeepTheOrderOfTheDocument() throws {
        let value = try JSONReader.read(Array(#"{"zeta": 1, "alpha": {"b": 2, "a": 3}, "mid": null}"#.utf8))
        guard case .object(let object) = value, case .object(let inner)? = object["alpha"] else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["zeta", "alpha", "mid"])
        #expect(inner.keys == ["b", "a"])
        #expect(object["mid"] == .null && object["missing"] == nil)
    }

    @Test func objectsWithTheSameMembersAreEqualInAnyOrder() {
        let one: JSONObject = ["a": .integer(1), "b": .string("x")]
        let other: JSONObject = ["b": .string("x"), "a": .integer(1)]
        #expect(one == other)
        #expect(one != ["a": .integer(1)] && one != ["a": .integer(1), "b": .string("y")])
    }

    @Test func settingReplacesInPlaceAppendsOrRemoves() {
        var object: JSONObject = ["a": .integer(1), "b": .integer(2)]
        object["a"] = .bool(true)
        object["c"] = .null
        #expect(object.keys == ["a", "b", "c"] && object["a"] == .bool(true))
        object["b"] = nil
        #expect(object.keys == ["a", "c"] && object.count == 2)
        #expect(JSONObject([("x", .integer(1)), ("x", .integer(2))]).map(\.value) == [.integer(2)], "a repeated name replaces")
        #expect(JSONObject(["b": .null, "a": .null] as [String: JSONValue]).keys == ["a", "b"], "a dictionary is taken in name order")
    }

    @Test(arguments: [3, 16, 17, 500])
    func largeObjectsFindTheirMembersAndRefuseARepeatedName(count: Int) throws {
        let names = (0..<count).map { "m\($0)" }
        let text = "{" + names.map { "\"\($0)\": \($0.dropFirst())" }.joined(separator: ",") + "}"
        guard case .object(let object) = try JSONReader.read(Array(text.utf8)) else { throw NotAnObject() }
        #expect(object.keys == names)
        #expect(object["m\(count - 1)"] == .integer(Int64(count - 1)) && object["m\(count)"] == nil)
        var changed = object
        changed["m0"] = nil
        #expect(changed["m\(count - 1)"] == .integer(Int64(count - 1)), "positions follow a removal")
        let repeated = String(text.dropLast()) + ", \"m\(count / 2)\": 0}"
        #expect(throws: JSONReadError.self) { try JSONReader.read(Array(repeated.utf8)) }
    }

    private struct NotAnObject: Error {}
}
