public import Logging

/// A swift-log handler writing one JSON object per line into a `LogSink`.
///
///     {"ts":"2026-11-23T10:15:02.123Z","level":"info","logger":"groupbuyd","msg":"listening","port":"8080"}
///
/// Building a line allocates (swift-log's metadata are dictionaries of strings), which is
/// fine for lifecycle and error logs; per-request logs go through `LogSink.log` directly.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink, level: Logger.Level = .info) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        sink.log(level: Self.name(of: event.level), capacity: 8 * 1024) { line in
            line.field("logger", label)
            line.field("msg", event.message.description)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line.field(key, value.description)
            }
            if event.level >= .error {
                line.field("source", "\(event.file):\(event.line)")
            }
        }
    }

    static func name(of level: Logger.Level) -> StaticString {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }
}
