import HTTPCodec
import IOCore

/// Request and connection figures of one loop: written by that loop only (no locks, no
/// atomic read-modify-write), summed across loops when scraped.
final class LoopHTTPMetrics: Sendable {
    /// Status codes with their own counter; anything else is counted as "other" per class.
    static let trackedStatuses: [Int] = [
        100, 200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 410, 412, 413, 414,
        415, 417, 422, 429, 431, 500, 501, 502, 503, 504, 505,
    ]
    static let statusSlots = trackedStatuses.count + 1

    let routeCount: Int
    /// [route or "no route"][status slot]
    let requests: SingleWriterCounters
    /// One latency histogram per route, plus "no route".
    let latency: [SingleWriterHistogram]
    /// Requests refused by the parser, by status slot.
    let parseErrors: SingleWriterCounters
    /// 0: open connections, 1: accepted total, 2: refused at the connection limit,
    /// 3: closed by timeouts, 4: handler deadlines exceeded.
    let connections = SingleWriterCounters(count: 5)

    init(routeCount: Int) {
        self.routeCount = routeCount
        self.requests = SingleWriterCounters(count: (routeCount + 1) * Self.statusSlots)
        self.latency = (0...routeCount).map { _ in SingleWriterHistogram(upperBounds: latencyBucketBounds) }
        self.parseErrors = SingleWriterCounters(count: Self.statusSlots)
    }

    @inline(__always)
    static func slot(for status: Int) -> Int {
        // A short linear scan over a cache-resident array beats hashing here.
        var index = 0
        for tracked in trackedStatuses {
            if tracked == status { return index }
            index &+= 1
        }
        return trackedStatuses.count
    }

    @inline(__always)
    func recordRequest(routeIndex: Int, status: Int, nanoseconds: UInt64) {
        requests.add(1, at: routeIndex * Self.statusSlots + Self.slot(for: status))
        latency[routeIndex].record(nanoseconds: nanoseconds)
    }

    @inline(__always)
    func recordParseError(status: Int) {
        parseErrors.add(1, at: Self.slot(for: status))
    }

    static let openIndex = 0
    static let acceptedIndex = 1
    static let refusedIndex = 2
    static let timedOutIndex = 3
    static let deadlineIndex = 4
}
