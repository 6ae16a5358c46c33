import Foundation
import Logging
import Observability
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func writesLabelMessageMergedMetadataAndLevel() throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 0, output: output.fd, interval: .milliseconds(1))
        sink.start()
        defer { sink.shutdown() }

        var logger = Logger(label: "groupbuyd.test") { JSONLogHandler(label: $0, sink: sink, level: .info) }
        logger[metadataKey: "request"] = "r-1"
        logger[metadataKey: "shared"] = "from handler"
        logger.info(
            "listening on \"0.0.0.0\"\n",
            metadata: ["shared": "from call", "port": "8080", "list": ["a", "b"], "nested": ["k": "v"]]
        )
        let errorLine = #line + 1
        logger.error("boom", metadata: ["code": "E1"])
        #expect(sink.flush())

        let (lines, endsWithNewline) = output.lines()
        #expect(endsWithNewline)
        try #require(lines.count == 2)
        let info = try #require(parseJSONObject(lines[0]), "\(String(decoding: lines[0], as: UTF8.self))")
        #expect(info["level"] as? String == "info")
        #expect(info["logger"] as? String == "groupbuyd.test")
        #expect(info["msg"] as? String == "listening on \"0.0.0.0\"\n")
        #expect(info["request"] as? String == "r-1")
        #expect(info["shared"] as? String == "from call", "call metadata must override handler metadata")
        #expect(info["port"] as? String == "8080")
        #expect(info["list"] as? String == Logger.MetadataValue.array(["a", "b"]).description)
        #expect(info["nested"] as? String == Logger.MetadataValue.dictionary(["k": "v"]).description)
        #expect(info["source"] == nil)
        #expect(info["ts"] is String)
        #expect(Set(info.keys) == ["ts", "level", "logger", "msg", "request", "shared", "port", "list", "nested"])

        let error = try #require(parseJSONObject(lines[1]), "\(String(decoding: lines[1], as: UTF8.self))")
        #expect(error["level"] as? String == "error")
        #expect(error["msg"] as? String == "boom")
        #expect(error["code"] as? String == "E1")
        #expect(error["request"] as? String == "r-1")
        #expect(error["shared"] as? String == "from handler", "call metadata of an earlier call must not stick")
        let source = try #require(error["source"] as? String)
        #expect(source.hasSuffix("JSONLogHandlerTests.swift:\(errorLine)"))
    }

    @Test func levelsBelowTheLogLevelAreNotWritten() throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 0, output: output.fd, interval: .milliseconds(1))
        sink.start()
        defer { sink.shutdown() }

        var logger = Logger(label: "levels") { JSONLogHandler(label: $0, sink: sink, level: .notice) }
        let all: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        for level in all { logger.log(level: level, "at \(level)") }
        logger.logLevel = .trace
        logger.trace("now visible")
        logger.logLevel = .critical
        logger.error("hidden again")
        #expect(sink.flush())

        let (lines, _) = output.lines()
        let written = try lines.map { line -> [String] in
            let object = try #require(parseJSONObject(line))
            return [object["level"] as? String ?? "?", object["msg"] as? String ?? "?"]
        }
        #expect(written == [
            ["notice", "at notice"], ["warning", "at warning"], ["error", "at error"], ["critical", "at critical"],
            ["trace", "now visible"],
        ])
    }

    @Test func anOversizedMessageIsTruncatedButStillWritten() throws {
        let output = TemporaryOutput()
        let sink = LogSink(loopCount: 0, output: output.fd, interval: .milliseconds(1))
        sink.start()
        defer { sink.shutdown() }
        let logger = Logger(label: "big") { JSONLogHandler(label: $0, sink: sink) }
        logger.info("\(String(repeating: "m", count: 10_000))", metadata: ["after": "x"])
        #expect(sink.flush())
        let (lines, _) = output.lines()
        try #require(lines.count == 1)
        #expect(lines[0].count < 8 * 1024)
        let object = try #require(parseJSONObject(lines[0]))
        #expect(object["truncated"] as? Bool == true)
        #expect(object["logger"] as? String == "big")
        #expect(object["msg"] == nil)
    }
}
