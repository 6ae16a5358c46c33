import CHiredis
import CNghttp2
import COpenSSL
import CPostgres
import Testing

/// Each system-library target compiles, links and answers one call into its C library.
@Suite struct CLibrariesLinkTests {
    @Test func libpqReportsItsVersion() {
        // PQlibVersion is major * 10000 + minor; Debian 12 ships 15.x.
        #expect(PQlibVersion() >= 100_000)
    }

    @Test func hiredisVersionMacrosAreVisibleAndTheLibraryLinks() throws {
        // Debian 12 ships hiredis 0.14.1; the async API we use exists since 0.13.
        #expect(groupbuy_hiredis_version() >= 1_300)
        #expect(HIREDIS_MAJOR == 0 || HIREDIS_MAJOR >= 1)
        // A macro alone proves only the header; creating a reader proves the link.
        let reader = try #require(redisReaderCreate())
        redisReaderFree(reader)
    }

    @Test func nghttp2ReportsItsVersion() throws {
        let info = try #require(nghttp2_version(0))
        let version = String(cString: info.pointee.version_str)
        #expect(version.split(separator: ".").count == 3)
        #expect(info.pointee.version_num > 0)
    }

    @Test func openSSLReportsVersion3() {
        let text = String(cString: OpenSSL_version(OPENSSL_VERSION))
        #expect(text.hasPrefix("OpenSSL 3"))
        #expect(OpenSSL_version_num() >= 0x3000_0000)
    }
}
