/// A database made for one test on the test cluster and dropped afterwards: for tests whose
/// checks span a whole database (sweeps, reconciliation) while other suites use the shared one.
public struct ScratchDatabase: Sendable {
    public let name: String
    /// libpq URL of the new database.
    public let url: String
    private let adminURL: String

    /// Creates `<prefix>_<random>` next to the database of `adminURL` (whose role may create databases).
    public static func create(prefix: String, adminURL: String) async throws -> ScratchDatabase {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let result = try await Subprocess.run("/usr/bin/psql", [adminURL, "-qc", "CREATE DATABASE \(name)"])
        guard result.status == 0 else { throw Subprocess.Failure("CREATE DATABASE \(name): \(result.errorOutput)") }
        let base = adminURL.lastIndex(of: "/").map { String(adminURL[..<$0]) } ?? adminURL
        return ScratchDatabase(name: name, url: base + "/" + name, adminURL: adminURL)
    }

    /// Drops it, ending the sessions a test left open. FORCE cannot end an autovacuum worker
    /// (42501 for a role that is not superuser), while a plain DROP stops one itself: so a
    /// refused FORCE is followed by a plain DROP, and a database left behind is an error.
    public func drop() async throws {
        let forced = try await Subprocess.run("/usr/bin/psql", [adminURL, "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
        guard forced.status != 0 else { return }
        let plain = try await Subprocess.run("/usr/bin/psql", [adminURL, "-qc", "DROP DATABASE IF EXISTS \(name)"])
        guard plain.status == 0 else {
            throw ScratchDatabaseLeftBehind(description: "could not drop \(name): \(forced.errorOutput) then \(plain.errorOutput)")
        }
    }
}

/// A scratch database that could not be dropped (the next run would find it).
public struct ScratchDatabaseLeftBehind: Error, CustomStringConvertible {
    public let description: String
}
