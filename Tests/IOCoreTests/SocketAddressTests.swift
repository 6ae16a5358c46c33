import IOCore
import Testing

@Suite struct SocketAddressTests {
    @Test(arguments: ["127.0.0.1", "0.0.0.0", "::1", "::", "[::1]", "localhost"])
    func parsesNumericHosts(_ host: String) throws {
        let address = try SocketAddress(host: host, port: 8080)
        #expect(address.port == 8080)
    }

    @Test(arguments: ["example.com", "256.0.0.1", "", "1.2.3"])
    func refusesWhatIsNotANumericAddress(_ host: String) {
        #expect(throws: SocketAddressError.self) { try SocketAddress(host: host, port: 80) }
    }

    @Test func refusesPortsOutOfRange() {
        #expect(throws: SocketAddressError.self) { try SocketAddress(host: "127.0.0.1", port: 65_536) }
        #expect(throws: SocketAddressError.self) { try SocketAddress(host: "127.0.0.1", port: -1) }
    }

    @Test func listensOnAnEphemeralPortAndReportsIt() throws {
        let (fd, port) = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0), options: SocketOptions())
        defer { Syscall.close(fd) }
        #expect(port > 0)
        // A second SO_REUSEPORT listener may share the port: that is how each loop gets one.
        let (second, secondPort) = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: port), options: SocketOptions())
        defer { Syscall.close(second) }
        #expect(secondPort == port)
    }

    @Test func withoutReusePortASecondBindFails() throws {
        var options = SocketOptions()
        options.reusePort = false
        let (fd, port) = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0), options: options)
        defer { Syscall.close(fd) }
        #expect(throws: IOError.self) {
            let (again, _) = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: port), options: options)
            Syscall.close(again)
        }
    }
}
