import API
import Auth
import Foundation

/// The JWT keys, issuer and audience from settings.
enum AuthSetup {
    static func keyRing(_ settings: AuthSettings) throws -> JWTKeyRing {
        var text = settings.jwtKeys
        if !settings.jwtKeysFile.isEmpty {
            do {
                text = try String(contentsOfFile: settings.jwtKeysFile, encoding: .utf8)
            } catch {
                throw StartFailure.configuration("auth.jwt_keys_file \(settings.jwtKeysFile) cannot be read")
            }
        }
        let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else {
            throw StartFailure.configuration("auth.jwt_keys is not set: give kid:secret pairs (secrets of 32+ bytes) in GROUPBUY_AUTH_JWT_KEYS or auth.jwt_keys_file")
        }
        do {
            return try JWTKeyRing(parsing: entries)
        } catch {
            throw StartFailure.configuration("auth.jwt_keys: \(error)")
        }
    }

    static func authenticator(_ settings: AuthSettings) throws -> Authenticator {
        let ring = try keyRing(settings)
        return Authenticator(
            verifier: JWTVerifier(keyRing: ring, issuer: settings.issuer, audience: settings.audience, clockSkew: .seconds(settings.clockSkewSeconds)),
            signer: JWTSigner(keyRing: ring, issuer: settings.issuer, audience: settings.audience)
        )
    }
}
