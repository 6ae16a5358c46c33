import Auth
import Foundation
import GroupBuyTesting
import Testing

@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct CatalogAPITests {
    @Test func anAdminCreatesADealThatAnyoneCanRead() async throws {
        try await withAPIServer { server in
            let created = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: dealBody(["title": "Durian"]), bearer: try server.token(.admin))
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? Int)
            #expect(created.headers["location"] == "/v1/deals/\(id)")
            #expect(created.headers["etag"] == "\"v1\"")
            let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(read.status == 200)
            #expect(read.headers["etag"] == "\"v1\"")
            #expect(read.json["title"] as? String == "Durian")
            #expect(read.json["groupPrice"] as? Int == 1_500)
            #expect(read.json["startsAt"] as? String == "2026-01-01T00:00:00Z")
            let again = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)", headers: ["If-None-Match": "\"v1\""])
            #expect(again.status == 304)
        }
    }

    @Test func stockIsSpreadOverSlotsAndAddsUp() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let id = try #require(try await server.createDeal(["stock": 10])["id"] as? Int)
            let added = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/stock", body: #"{"quantity":7}"#, bearer: admin)
            #expect(added.status == 200)
            #expect(added.json["total"] as? Int == 17)
            #expect(added.json["available"] as? Int == 17)
            let slots = try #require(added.json["slots"] as? [[String: Any]])
            let perSlot = slots.compactMap { $0["available"] as? Int }
            #expect(perSlot.count == 4)  // APITestServer uses 4 slots per deal
            #expect(perSlot.reduce(0, +) == 17)
            #expect(perSlot.max()! - perSlot.min()! <= 2)  // evenly spread (two additions)
            let shown = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(id)/stock", bearer: admin)
            #expect(shown.json["total"] as? Int == 17)
            for quantity in ["0", "-5", "10000001", "\"7\"", "1.5"] {
                let refused = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/stock", body: #"{"quantity":\#(quantity)}"#, bearer: admin)
                #expect(refused.status == 422, "quantity \(quantity)")
                #expect(refused.invalidFields == ["quantity"])
            }
        }
    }

    @Test func patchNeedsTheCurrentETag() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let id = try #require(try await server.createDeal()["id"] as? Int)
            let url = server.baseURL + "/v1/admin/deals/\(id)"
            let unconditional = try await LiveHTTP.request("PATCH", url, body: #"{"title":"x"}"#, bearer: admin)
            #expect(unconditional.status == 428)
            let changed = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "\"v1\""], body: #"{"title":"Ripe mangoes","imageUrl":null}"#, bearer: admin)
            #expect(changed.status == 200)
            #expect(changed.headers["etag"] == "\"v2\"")
            #expect(changed.json["title"] as? String == "Ripe mangoes")
            #expect(changed.json["imageUrl"] is NSNull)
            let stale = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "\"v1\""], body: #"{"title":"Lost update"}"#, bearer: admin)
            #expect(stale.status == 412)
            #expect(stale.headers["etag"] == "\"v2\"")
            #expect(stale.json["currentVersion"] as? Int == 2)
            let weak = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "W/\"v2\""], body: #"{"title":"Weak"}"#, bearer: admin)
            #expect(weak.status == 412)
            let any = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "*"], body: #"{"perUserLimit":5}"#, bearer: admin)
            #expect(any.status == 200)
            let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(read.json["title"] as? String == "Ripe mangoes")
            #expect(read.json["perUserLimit"] as? Int == 5)
            // A change that breaks a rule together with the stored fields is refused.
            let cheaper = try await LiveHTTP.request("PATCH", url, headers: ["If-Match": "*"], body: #"{"listPrice":1000}"#, bearer: admin)
            #expect(cheaper.status == 422)
            #expect(cheaper.invalidFields == ["groupPrice"])
        }
    }

    @Test func closingIsFinalAndIdempotent() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let id = try #require(try await server.createDeal()["id"] as? Int)
            let closed = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/close", bearer: admin)
            #expect(closed.status == 200)
            #expect(closed.json["status"] as? String == "closed")
            let again = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/close", bearer: admin)
            #expect(again.status == 200)
            #expect(again.json["version"] as? Int == closed.json["version"] as? Int)
            let patch = try await LiveHTTP.request("PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: #"{"title":"x"}"#, bearer: admin)
            #expect(patch.status == 409)
            #expect((patch.json["type"] as? String)?.hasSuffix("/deal-closed") == true)
            let stock = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/stock", body: #"{"quantity":1}"#, bearer: admin)
            #expect(stock.status == 409)
        }
    }

    @Test func listingPagesWithCursorsAndHidesDrafts() async throws {
        try await withAPIServer { server in
            var ids: [Int] = []
            for _ in 0..<5 { ids.append(try #require(try await server.createDeal(["status": "paused"])["id"] as? Int)) }
            let draft = try #require(try await server.createDeal(["status": "draft"])["id"] as? Int)
            // Page through everything from before our first deal; other tests may add deals meanwhile.
            var seen: [Int] = []
            var next: String? = nil
            var pages = 0
            repeat {
                var url = server.baseURL + "/v1/deals?status=paused&limit=2"
                if let next { url += "&cursor=\(next)" }
                let page = try await LiveHTTP.request("GET", url)
                #expect(page.status == 200)
                let items = try #require(page.json["items"] as? [[String: Any]])
                #expect(items.count <= 2)
                #expect(items.allSatisfy { $0["status"] as? String == "paused" })
                seen += items.compactMap { $0["id"] as? Int }
                next = page.json["nextCursor"] as? String
                pages += 1
            } while next != nil && pages < 10_000
            #expect(seen == seen.sorted() && Set(seen).count == seen.count)  // ascending, no repeats
            #expect(Set(ids).isSubset(of: Set(seen)))
            let publicDraft = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(draft)")
            #expect(publicDraft.status == 404)
            let adminDraft = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(draft)", bearer: try server.token(.admin))
            #expect(adminDraft.status == 200)
            let draftsPublicly = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?status=draft")
            #expect(draftsPublicly.status == 422)
        }
    }

    @Test func activeNowMeansActiveAndInsideTheSaleWindow() async throws {
        try await withAPIServer { server in
            let inside = try #require(try await server.createDeal()["id"] as? Int)
            let future = try #require(try await server.createDeal(["startsAt": "2029-01-01T00:00:00Z"])["id"] as? Int)
            var seen: Set<Int> = []
            var next: String? = nil
            repeat {
                let page = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?active=true&limit=100" + (next.map { "&cursor=\($0)" } ?? ""))
                seen.formUnion((page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
                next = page.json["nextCursor"] as? String
            } while next != nil
            #expect(seen.contains(inside))
            #expect(!seen.contains(future))
        }
    }

    @Test func anAuditRowRecordsEveryAdminChange() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin, user: "alice-admin")
            let id = try #require(try await server.createDeal()["id"] as? Int)
            _ = try await LiveHTTP.request("PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: #"{"title":"Audited"}"#, bearer: admin)
            _ = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/stock", body: #"{"quantity":3}"#, bearer: admin)
            _ = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(id)/close", bearer: admin)
            let audit = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/audit?entityId=\(id)", bearer: admin)
            #expect(audit.status == 200)
            let items = try #require(audit.json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["action"] as? String } == ["deal.close", "stock.add", "deal.update", "deal.create"])
            let update = try #require(items.first { $0["action"] as? String == "deal.update" })
            #expect(update["actor"] as? String == "alice-admin")
            #expect((update["after"] as? [String: Any])?["title"] as? String == "Audited")
            #expect((update["before"] as? [String: Any])?["title"] as? String != "Audited")
            let buyer = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/audit", bearer: try server.token(.buyer))
            #expect(buyer.status == 403)
        }
    }
}
