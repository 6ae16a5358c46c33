import Foundation

/// Where reports go: dated names under the output folder unless a path is given.
enum ReportPaths {
    /// `20261123-193012` (UTC): sorts by time, safe in file names.
    static func stamp(_ secondsSince1970: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date(timeIntervalSince1970: secondsSince1970))
    }

    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
        FileHandle.standardError.write(Data("gbload: wrote \(path)\n".utf8))
    }
}
