import HTTPServer

/// `{"status":"ok"|"degraded","checks":{"postgres":{"status":"up"|"down"|"off","address":…,"error":…},…}}`
/// (docs/API.md, "Operations").
enum HealthRendering {
    static func write(_ report: DependencyHealth.Report, into json: inout JSONWriter) {
        json.object { object in
            object.field("status", report.status)
            object.key("checks")
            object.object { checks in
                for entry in report.entries {
                    checks.key(entry.name)
                    checks.object { check in
                        check.field("status", entry.status.rawValue)
                        if let address = entry.address { check.field("address", address) }
                        if let error = entry.error { check.field("error", error) }
                    }
                }
            }
        }
    }
}
