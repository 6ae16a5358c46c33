import HTTPCodec
import IOCore

/// The `Date` header value of one loop, formatted once per second by a timer aligned to
/// the wall-clock second, not per response.
final class DateCache: TimerTarget {
    private unowned let loop: EventLoop
    private var timer: LoopTimer?
    /// The 29 bytes of the current IMF-fixdate.
    private(set) var bytes = [UInt8](repeating: 0, count: HTTPDate.length)

    init(loop: EventLoop) {
        self.loop = loop
        refresh()
    }

    /// Starts refreshing; loop thread only.
    func start() {
        let timer = LoopTimer(target: self)
        self.timer = timer
        scheduleNext(timer)
    }

    /// Stops refreshing; loop thread only.
    func stop() {
        if let timer { loop.timers.cancel(timer) }
        timer = nil
    }

    func timerFired(_ timer: LoopTimer) {
        refresh()
        scheduleNext(timer)
    }

    private func refresh() {
        bytes.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            Self.write(WallClockTime.now(), into: &writer)
        }
    }

    /// Writes `time` as an IMF-fixdate.
    static func write(_ time: WallClockTime, into writer: inout ByteWriter) {
        let utc = time.utc
        HTTPDate.write(
            weekday: utc.weekday, day: utc.day, month: utc.month, year: utc.year,
            hour: utc.hour, minute: utc.minute, second: utc.second, into: &writer
        )
    }

    private func scheduleNext(_ timer: LoopTimer) {
        let untilNextSecond = UInt64(1_000_000_000 - Int(WallClockTime.now().nanoseconds)) + 1_000_000
        loop.timers.schedule(timer, at: LoopInstant(nanoseconds: LoopInstant.now().nanoseconds + untilNextSecond))
    }

    /// Writes the cached date.
    @inline(__always)
    func write(into writer: inout ByteWriter) {
        bytes.withUnsafeBytes { writer.write($0) }
    }
}
