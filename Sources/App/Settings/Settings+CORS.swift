import API
import Foundation
import HTTPServer

/// Cross-origin requests from browser front ends (see config/groupbuy.yaml); off while no
/// origin is allowed.
public struct CORSSettings: Sendable {
    /// Origins as browsers send them, comma separated, or `*`; empty: CORS off.
    public var allowedOrigins = ""
    public var allowCredentials = false
    public var maxAgeSeconds = 600

    var origins: [String] {
        allowedOrigins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The middleware's configuration for the API's routes; nil while CORS is off.
    var middlewareConfiguration: CORSMiddleware.Configuration? {
        guard !origins.isEmpty else { return nil }
        var configuration = CORSMiddleware.Configuration()
        configuration.allowedOrigins = origins
        configuration.allowCredentials = allowCredentials
        configuration.maxAgeSeconds = maxAgeSeconds
        configuration.allowedMethods = GroupBuyAPI.corsMethods
        configuration.allowedHeaders = GroupBuyAPI.corsRequestHeaders
        configuration.exposedHeaders = GroupBuyAPI.corsExposedHeaders
        configuration.pathPrefix = GroupBuyAPI.pathPrefix
        return configuration
    }

    /// Problems across the keys, each naming its key.
    func problems() -> [String] {
        middlewareConfiguration?.problems().map { "cors.\($0)" } ?? []
    }
}

extension Settings {
    mutating func readCORS(_ reader: inout SettingsReader, defaults: Settings) {
        cors.allowedOrigins = reader.optionalString("cors.allowed_origins")
        cors.allowCredentials = reader.bool("cors.allow_credentials", default: defaults.cors.allowCredentials)
        cors.maxAgeSeconds = reader.int("cors.max_age_seconds", default: defaults.cors.maxAgeSeconds, in: 0...86_400)
    }
}
