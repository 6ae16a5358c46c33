internal import CPostgres

/// The rows of a statement's result, copied out of libpq (text format).
public struct PostgresRows: Sendable {
    public let columns: [String]
    /// Row-major values; nil is SQL NULL.
    let values: [String?]
    /// Rows affected by INSERT/UPDATE/DELETE (from the command tag), or the row count.
    public let affectedRows: Int

    public var count: Int { columns.isEmpty ? 0 : values.count / columns.count }

    public subscript(row: Int) -> PostgresRow {
        precondition(row >= 0 && row < count, "row \(row) out of 0..<\(count)")
        return PostgresRow(columns: columns, values: values[row * columns.count..<(row + 1) * columns.count])
    }

    init(columns: [String], values: [String?], affectedRows: Int) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }

    /// Copies everything out of a PGRES_TUPLES_OK or PGRES_COMMAND_OK result.
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(String(cString: PQfname(result, Int32(column))))
        }
        var values: [String?] = []
        values.reserveCapacity(rowCount * columnCount)
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
        }
        let tuplesText = String(cString: PQcmdTuples(result))
        self.init(columns: columns, values: values, affectedRows: Int(tuplesText) ?? rowCount)
    }
}

/// One row; values decode by column index or name.
public struct PostgresRow: Sendable {
    let columns: [String]
    let values: ArraySlice<String?>

    public func string(_ column: Int) -> String? {
        values[values.startIndex + column]
    }

    public func string(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return string(index)
    }

    public func int(_ column: Int) -> Int? {
        string(column).flatMap { Int($0) }
    }

    public func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    public func bool(_ column: Int) -> Bool? {
        string(column).map { $0 == "t" }
    }

    public func isNull(_ column: Int) -> Bool {
        values[values.startIndex + column] == nil
    }
}
