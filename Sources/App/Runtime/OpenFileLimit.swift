#if canImport(Glibc)
import Glibc
#endif

/// Each connection is a descriptor: the soft limit (often 1024) is raised to the hard one.
enum OpenFileLimit {
    struct Change: Sendable {
        var before: UInt64
        var after: UInt64
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limits before and after.
    static func raiseToHardLimit() -> Change {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Change(before: 0, after: 0) }
        let before = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Change(before: before, after: UInt64(limit.rlim_cur))
    }
}
