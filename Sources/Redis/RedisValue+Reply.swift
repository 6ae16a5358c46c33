internal import CHiredis

extension RedisValue {
    /// Copies a hiredis reply; hiredis frees it as soon as the reply callback returns.
    init(copying reply: UnsafePointer<redisReply>) {
        let reply = reply.pointee
        switch reply.type {
        case REDIS_REPLY_STATUS:
            self = .simpleString(Self.text(reply))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(reply))
        case REDIS_REPLY_STRING:
            self = .bulkString(Self.bytes(reply))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element?[index] {
                    elements.append(RedisValue(copying: element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        case REDIS_REPLY_NIL:
            self = .null
        default:
            // RESP3 types (hiredis ≥ 1.0, only after HELLO 3, which we never send) carry text.
            self = reply.str == nil ? .null : .bulkString(Self.bytes(reply))
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let start = reply.str, reply.len > 0 else { return [] }
        return start.withMemoryRebound(to: UInt8.self, capacity: reply.len) {
            Array(UnsafeBufferPointer(start: $0, count: reply.len))
        }
    }

    private static func text(_ reply: redisReply) -> String {
        String(decoding: bytes(reply), as: UTF8.self)
    }
}
