/// A row that does not have the shape the code expects: a schema and code out of step.
struct RowError: Error, CustomStringConvertible {
    let table: String
    var description: String { "a row of \(table) does not have the expected columns or values" }
}
