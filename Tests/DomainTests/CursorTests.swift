import Domain
import Testing

struct CursorTests {
    @Test(arguments: [Int64(0), 1, 42, 1_000_000, Int64.max])
    func roundTrips(id: Int64) {
        let token = Cursor(afterID: id).token
        #expect(Cursor(token: token) == Cursor(afterID: id))
        #expect(!token.contains("="))
        #expect(!token.contains(String(id)) || id < 10)  // opaque: not the bare number
    }

    @Test(arguments: ["", "!!!", "YWZ0ZXI6", "YWZ0ZXI6LTE", "Zm9vOjE", String(repeating: "A", count: 100), "YWZ0ZXI6MTI=", "YWZ0ZXI6MT"])
    func refusesTokensItDidNotMake(token: String) {
        #expect(Cursor(token: token) == nil)
    }
}
