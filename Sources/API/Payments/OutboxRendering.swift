import Domain
import HTTPServer
import Payments

/// The JSON of an outbox job (docs/API.md, `GET /v1/admin/outbox`).
enum OutboxRendering {
    static func write(_ job: OutboxJob, into json: inout JSONWriter) {
        json.object { object in
            object.field("id", Int(job.id))
            object.field("kind", job.kind)
            object.field("state", job.state)
            object.field("attempts", job.attempts)
            object.key("lastError")
            if let lastError = job.lastError { object.string(lastError) } else { object.null() }
            object.key("payload")
            object.rawJSON(job.payload)
            object.field("runAt", job.runAt.rfc3339)
            object.key("lockedUntil")
            if let lockedUntil = job.lockedUntil { object.string(lockedUntil.rfc3339) } else { object.null() }
            object.field("createdAt", job.createdAt.rfc3339)
            object.field("updatedAt", job.updatedAt.rfc3339)
        }
    }
}
