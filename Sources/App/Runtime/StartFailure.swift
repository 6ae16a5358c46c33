/// A failure to start that deserves a message and a sysexits code rather than a trace:
/// 78 (EX_CONFIG) for settings, keys or a schema this build cannot run with, 69
/// (EX_UNAVAILABLE) for a database that cannot be reached.
public struct StartFailure: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32

    static func configuration(_ description: String) -> StartFailure { StartFailure(description: description, exitCode: 78) }
    static func unavailable(_ description: String) -> StartFailure { StartFailure(description: description, exitCode: 69) }
}
