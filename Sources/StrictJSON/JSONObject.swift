/// The members of a JSON object, each name once, in their order: as read from a document, or
/// as built in code (so what is written comes out in that order, byte for byte the same every
/// time). Two objects are equal when they have the same members, whatever their order.
package struct JSONObject: Sendable, Equatable {
    /// The members in order.
    package private(set) var members: [(key: String, value: JSONValue)] = []
    /// Positions by name, kept once the object outgrows a scan (client objects are small; a
    /// document may hold a large one, and reading it must not take quadratic time).
    private var positions: [String: Int]?
    private static let scanLimit = 16

    package init() {}

    /// The members in the order given; a repeated name replaces the earlier value in its place.
    package init(_ members: some Sequence<(String, JSONValue)>) {
        for (name, value) in members { self[name] = value }
    }

    /// The members of `dictionary`, ordered by name (a dictionary has no order of its own).
    package init(_ dictionary: [String: JSONValue]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The value of member `name`; setting nil removes the member, setting a new name appends it.
    package subscript(name: String) -> JSONValue? {
        get { position(of: name).map { members[$0].value } }
        set {
            switch (position(of: name), newValue) {
            case (let position?, let value?):
                members[position].value = value
            case (let position?, nil):
                members.remove(at: position)
                rebuildPositions()
            case (nil, let value?):
                members.append((name, value))
                if positions != nil {
                    positions![name] = members.count - 1
                } else if members.count > Self.scanLimit {
                    rebuildPositions()
                }
            case (nil, nil):
                break
            }
        }
    }

    /// The member names in order.
    package var keys: [String] { members.map(\.key) }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }

    private func position(of name: String) -> Int? {
        if let positions { return positions[name] }
        return members.firstIndex { $0.key == name }
    }

    private mutating func rebuildPositions() {
        guard members.count > Self.scanLimit else {
            positions = nil
            return
        }
        var table: [String: Int] = [:]
        table.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { table[member.key] = position }
        positions = table
    }
}

extension JSONObject: RandomAccessCollection {
    package var startIndex: Int { 0 }
    package var endIndex: Int { members.count }
    package subscript(position: Int) -> (key: String, value: JSONValue) { members[position] }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// `["a": .integer(1), "b": .null]`: the members in the order written.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
