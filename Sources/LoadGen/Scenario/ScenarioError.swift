/// A scenario file that cannot be run: where (file and line) and what is wrong.
public struct ScenarioError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based line in the file.
    public var line: Int
    /// What was expected and what was found.
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form compilers use (editors jump to it).
    public var description: String { "\(file):\(line): \(message)" }
}
