import Auth
import Foundation
import GroupBuyTesting
import Testing

/// A 422 lists at most 50 field problems and counts the rest, so a body of many bad fields
/// cannot make an answer larger than itself.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct ValidationListCapTests {
    @Test func fiftyProblemsAreListedAndTheRestCounted() async throws {
        try await withAPIServer { server in
            let unknown = (0..<200).map { ("extra\(String(format: "%03d", $0))", 1) }
            let body = dealBody(Dictionary(uniqueKeysWithValues: unknown))
            let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: body, bearer: try server.token(.admin))
            #expect(result.status == 422)
            #expect(result.invalidFields == (0..<50).map { "extra\(String(format: "%03d", $0))" })
            #expect(result.json["moreErrors"] as? Int == 150)
            #expect((result.json["detail"] as? String)?.hasSuffix("extra049: is not a known field; and 150 more") == true, "\(result.json["detail"] ?? "")")
        }
    }

    @Test func fiftyOrFewerAreListedWithoutACount() async throws {
        try await withAPIServer { server in
            let unknown = (0..<50).map { ("extra\($0)", 1) }
            let body = dealBody(Dictionary(uniqueKeysWithValues: unknown))
            let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: body, bearer: try server.token(.admin))
            #expect(result.status == 422)
            #expect(result.invalidFields.count == 50)
            #expect(result.json["moreErrors"] == nil)
        }
    }

    @Test func aMegabyteOfUnknownFieldsGetsASmallAnswer() async throws {
        try await withAPIServer { server in
            var body = #"{"dealId":1"#
            var count = 0
            while body.utf8.count < 1_000_000 {
                body += #","field\#(count)":0"#
                count += 1
            }
            let long = String(repeating: "n", count: 40_000)
            body += #","\#(long)":0}"#
            // Too long for curl's command line: sent from a file.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("unknown-fields-\(UUID()).json")
            try Data(body.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try Curl.parse(
                try await Curl.run([
                    "-s", "-i", "-X", "POST", server.baseURL + "/v1/groups", "-H", "Content-Type: application/json",
                    "-H", "Authorization: Bearer \(try server.token(.buyer))", "--data-binary", "@" + file.path,
                ])
            )
            #expect(result.status == 422)
            #expect(result.body.utf8.count < 20_000, "\(result.body.utf8.count) bytes")
            #expect(result.json["moreErrors"] as? Int == count + 1 - 50)
            // Field names are cut short in the answer.
            let answer = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/groups", body: #"{"dealId":1,"\#(long)":0}"#, bearer: try server.token(.buyer)
            )
            #expect(answer.invalidFields == [String(repeating: "n", count: 128) + "…"])
        }
    }
}
