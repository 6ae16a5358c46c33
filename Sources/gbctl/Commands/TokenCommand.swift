import ArgumentParser
import Auth
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Issue bearer tokens.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a token with the service's current key (printed alone, for scripts).",
            discussion: """
                Keys come from --keys, else GROUPBUY_AUTH_JWT_KEYS, else the file in GROUPBUY_AUTH_JWT_KEYS_FILE \
                (kid:secret,...): the server's keys. scripts/run.sh keeps its development key in .local/dev-jwt-keys, \
                so `GROUPBUY_AUTH_JWT_KEYS_FILE=.local/dev-jwt-keys gbctl token issue …` signs tokens it accepts.
                """
        )
        @Option(help: "The user id (sub claim).") var user: String
        @Option(help: "buyer or admin.") var role: String
        @Option(help: "Lifetime: seconds or a number with s, m, h or d (e.g. 15m, 12h).") var ttl = "1h"
        @Option(help: "kid:secret pairs, comma separated; the first signs.") var keys: String?
        @Option(help: "iss claim.") var issuer = "groupbuy"
        @Option(help: "aud claim.") var audience = "groupbuy-api"
        @Flag(help: "Print {token, expiresAt} as JSON.") var json = false

        /// Bad flags are usage errors (exit 64), found before any key is read.
        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be buyer or admin, not '\(role)'") }
            guard !user.isEmpty else { throw ValidationError("--user must not be empty") }
            guard let seconds = Self.seconds(ttl), seconds > 0, seconds <= 366 * 86_400 else {
                throw ValidationError("--ttl \(ttl) is not a duration like 900, 15m, 12h or 7d (at most a year)")
            }
        }

        func run() async throws {
            try await reporting {
                let role = Role(rawValue: role)!  // checked in validate()
                let seconds = Self.seconds(ttl)!
                let ring = try Self.keyRing(keys)
                let now = Date()
                let token = try JWTSigner(keyRing: ring, issuer: issuer, audience: audience).issue(
                    subject: user, role: role, ttl: .seconds(seconds), now: now
                )
                if json {
                    let expires = ISO8601DateFormatter().string(from: now.addingTimeInterval(TimeInterval(seconds)))
                    Output.json(try JSONSerialization.data(withJSONObject: ["token": token, "expiresAt": expires]))
                } else {
                    print(token)
                }
            }
        }

        static func seconds(_ text: String) -> Int? {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
            if let unit = text.last, let scale = units[unit] { return Int(text.dropLast()).map { $0 * scale } }
            return Int(text)
        }

        static func keyRing(_ flag: String?) throws -> JWTKeyRing {
            let environment = ProcessInfo.processInfo.environment
            var text = flag ?? environment["GROUPBUY_AUTH_JWT_KEYS"] ?? ""
            if text.isEmpty, let file = environment["GROUPBUY_AUTH_JWT_KEYS_FILE"], !file.isEmpty {
                guard let content = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError(.other, "cannot read \(file)") }
                text = content
            }
            let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !entries.isEmpty else {
                throw CLIError(
                    .other,
                    "no signing key: give --keys or GROUPBUY_AUTH_JWT_KEYS (kid:secret), or the server's keys file in "
                        + "GROUPBUY_AUTH_JWT_KEYS_FILE (scripts/run.sh keeps its development key in .local/dev-jwt-keys: "
                        + "GROUPBUY_AUTH_JWT_KEYS_FILE=.local/dev-jwt-keys)"
                )
            }
            do {
                return try JWTKeyRing(parsing: entries)
            } catch {
                throw CLIError(.other, "the keys are not valid: \(error)")
            }
        }
    }
}
