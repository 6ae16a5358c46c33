import IOCore
import Postgres
import Testing

/// A text parameter holding U+0000 is refused before it is sent, on queries and prepared
/// statements alike (libpq would cut "erin\0x" to "erin"), and the connection stays usable.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct UnstorableTextTests {
    let url = testDatabaseURL ?? ""

    @Test(arguments: ["erin\u{0}x", "\u{0}", "tail\u{0}"])
    func aNulInAnyParameterIsRefusedAndNothingIsCut(_ text: String) async throws {
        let url = url
        let (query, prepared, after) = try await onLoop { loop -> (PostgresError?, PostgresError?, String?) in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            var query: PostgresError?
            do {
                _ = try await connection.query("SELECT $1::text, $2::text", ["fine", .text(text)])
            } catch let error as PostgresError {
                query = error
            }
            try await connection.prepare("echo_text", "SELECT $1::text")
            var prepared: PostgresError?
            do {
                _ = try await connection.execute("echo_text", [.text(text)])
            } catch let error as PostgresError {
                prepared = error
            }
            return (query, prepared, try await connection.execute("echo_text", ["still here"])[0].string(0))
        }
        #expect(query?.sqlState == PostgresValue.unstorableTextState)
        #expect(query?.message.contains("$2") == true)
        #expect(prepared?.sqlState == PostgresValue.unstorableTextState)
        #expect(after == "still here")
    }
}
