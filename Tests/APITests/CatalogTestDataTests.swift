import Auth
import Domain
import Foundation
import GroupBuyTesting
import Testing

/// Load-test deals (`testData: true`, gbload's scenarios) stay out of the public deal list,
/// readable by id, listed to admins (issue 12: 241 of them were left in `GET /v1/deals`).
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct CatalogTestDataTests {
    /// Ids listed by `GET /v1/deals?<query>` from just before `ids.min()` through `ids.max()`,
    /// page by page (other tests add deals to the same database meanwhile).
    func listed(_ server: APITestServer, _ query: String, around ids: [Int], bearer: String? = nil) async throws -> Set<Int> {
        var seen: Set<Int> = []
        var cursor = Cursor(afterID: Int64(ids.min()! - 1)).token
        while true {
            let page = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?\(query)&limit=100&cursor=\(cursor)", bearer: bearer)
            #expect(page.status == 200, "\(query): \(page.body)")
            let items = try #require(page.json["items"] as? [[String: Any]])
            let pageIDs = items.compactMap { $0["id"] as? Int }
            seen.formUnion(pageIDs)
            guard let next = page.json["nextCursor"] as? String, (pageIDs.last ?? .max) < ids.max()! else { return seen }
            cursor = next
        }
    }

    @Test func testDataIsHiddenFromThePublicListReadableByIDAndListedToAdmins() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let test = try #require(try await server.createDeal(["testData": true])["id"] as? Int)
            let real = try #require(try await server.createDeal()["id"] as? Int)
            let both = [test, real]

            for query in ["status=active", "active=true", "testData=false"] {
                let publicList = try await listed(server, query, around: both)
                #expect(publicList.contains(real), "\(query)")
                #expect(!publicList.contains(test), "\(query): a test deal in the public list")
            }
            #expect(try await listed(server, "status=active", around: both, bearer: try server.token(.buyer)).contains(test) == false)

            let adminAll = try await listed(server, "status=active", around: both, bearer: admin)
            #expect(adminAll.isSuperset(of: both))
            let adminTest = try await listed(server, "testData=true", around: both, bearer: admin)
            #expect(adminTest.contains(test) && !adminTest.contains(real))
            let adminReal = try await listed(server, "testData=false", around: both, bearer: admin)
            #expect(adminReal.contains(real) && !adminReal.contains(test))

            let byID = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(test)")
            #expect(byID.status == 200)
            #expect(byID.json["testData"] as? Bool == true)
            let realByID = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(real)")
            #expect(realByID.json["testData"] as? Bool == false)
        }
    }

    @Test func onlyAdminsAskForTestDataAndItIsSetAtCreationOnly() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            for bearer in [nil, try server.token(.buyer)] {
                let asked = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?testData=true", bearer: bearer)
                #expect(asked.status == 422)
                #expect(asked.invalidFields == ["testData"])
            }
            let garbled = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?testData=yes", bearer: admin)
            #expect(garbled.status == 422)
            #expect(garbled.invalidFields == ["testData"])

            let mistyped = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: dealBody(["testData": "yes"]), bearer: admin)
            #expect(mistyped.status == 422)
            #expect(mistyped.invalidFields == ["testData"])

            let created = try await server.createDeal(["testData": true])
            let id = try #require(created["id"] as? Int)
            #expect(created["testData"] as? Bool == true)
            let url = server.baseURL + "/v1/admin/deals/\(id)"
            let patch = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "*"], body: #"{"testData":false}"#, bearer: admin)
            #expect(patch.status == 422)
            #expect(patch.invalidFields == ["testData"])
            let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(read.json["testData"] as? Bool == true)
            #expect(read.json["version"] as? Int == 1)
            // The rest of a deal still changes as before.
            let renamed = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "*"], body: #"{"title":"Renamed"}"#, bearer: admin)
            #expect(renamed.status == 200)
            #expect(renamed.json["testData"] as? Bool == true)
        }
    }
}
