import HTTPCodec
import Testing

@Suite struct ResponseEncodingTests {
    @Test func formatsAnIMFFixdate() {
        var storage = [UInt8](repeating: 0, count: HTTPDate.length)
        storage.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            HTTPDate.write(weekday: 0, day: 6, month: 11, year: 1994, hour: 8, minute: 49, second: 37, into: &writer)
            #expect(writer.count == HTTPDate.length && !writer.overflowed)
        }
        #expect(String(decoding: storage, as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func writerComposesAndReportsOverflow() {
        var storage = [UInt8](repeating: 0, count: 16)
        let (count, overflowed) = storage.withUnsafeMutableBytes { buffer -> (Int, Bool) in
            var writer = ByteWriter(buffer)
            writer.write("len=")
            writer.writeDecimal(1_234_567)
            writer.write(byte: 32)
            writer.writeHexadecimal(255)
            return (writer.count, writer.overflowed)
        }
        #expect(String(decoding: storage[0..<count], as: UTF8.self) == "len=1234567 ff")
        #expect(!overflowed)
        let overflow = storage.withUnsafeMutableBytes { buffer -> Bool in
            var writer = ByteWriter(buffer)
            writer.write("0123456789abcdef!")
            return writer.overflowed
        }
        #expect(overflow)
    }

    @Test func anOverflowedWriterKnowsTheCapacityARetryNeeds() {
        var storage = [UInt8](repeating: 0, count: 8)
        let (count, required) = storage.withUnsafeMutableBytes { buffer -> (Int, Int) in
            var writer = ByteWriter(buffer)
            writer.write("abc")
            writer.write("this does not fit")
            writer.write("de")
            writer.write(byte: 102)
            writer.write(byte: 103)
            writer.write(byte: 104)
            writer.write(byte: 105)
            return (writer.count, writer.requiredCapacity)
        }
        #expect(count == 8)
        #expect(required == 3 + 17 + 2 + 4)
    }

    @Test func decimalZeroAndLargeValues() {
        var storage = [UInt8](repeating: 0, count: 32)
        let text = storage.withUnsafeMutableBytes { buffer -> String in
            var writer = ByteWriter(buffer)
            writer.writeDecimal(0)
            writer.write(byte: 44)
            writer.writeDecimal(Int.max)
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<writer.count]), as: UTF8.self)
        }
        #expect(text == "0,\(Int.max)")
    }

    @Test func statusReasonPhrases() {
        #expect(HTTPStatus.ok.reasonPhrase.description == "OK")
        #expect(HTTPStatus(code: 431).reasonPhrase.description == "Request Header Fields Too Large")
        #expect(HTTPStatus(code: 599).reasonPhrase.description == "Status")
        #expect(!HTTPStatus.noContent.allowsBody && !HTTPStatus.notModified.allowsBody && HTTPStatus.ok.allowsBody)
    }

    @Test func http2PrefaceDetection() {
        func match(_ text: String) -> HTTP2Preface.Match {
            Array(text.utf8).withUnsafeBytes { HTTP2Preface.match($0) }
        }
        #expect(match("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == .http2)
        #expect(match("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u{0}\u{0}") == .http2)
        #expect(match("PRI * HT") == .undecided)
        #expect(match("POST / HTTP/1.1\r\n") == .http1)
        #expect(match("GET / HTTP/1.1\r\n") == .http1)
    }
}
