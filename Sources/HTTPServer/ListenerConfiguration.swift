/// One address the server listens on. A server has one or more: e.g. a cleartext port and,
/// once TLS exists, a TLS port; every listener serves the same router.
public struct ListenerConfiguration: Sendable, Equatable {
    /// Names the listener in logs and problems ("http", "admin", …).
    public var name: String
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0: any free port, useful in tests).
    public var port: Int

    public init(name: String = "http", host: String = "0.0.0.0", port: Int = 8080) {
        self.name = name
        self.host = host
        self.port = port
    }
}

extension ServerConfiguration {
    /// The first listener's address: what a server with one listener (most) is told.
    public var host: String {
        get { listeners.first?.host ?? "" }
        set { setFirstListener { $0.host = newValue } }
    }

    /// The first listener's port.
    public var port: Int {
        get { listeners.first?.port ?? 0 }
        set { setFirstListener { $0.port = newValue } }
    }

    private mutating func setFirstListener(_ change: (inout ListenerConfiguration) -> Void) {
        if listeners.isEmpty { listeners.append(ListenerConfiguration()) }
        change(&listeners[0])
    }

    /// Problems with the listeners, each naming the listener.
    func listenerProblems() -> [String] {
        guard !listeners.isEmpty else { return ["at least one listener is needed"] }
        var problems: [String] = []
        var seenNames: Set<String> = []
        for (index, listener) in listeners.enumerated() {
            if !(0...65535).contains(listener.port) {
                problems.append("listener '\(listener.name)': port must be 0...65535, got \(listener.port)")
            }
            if !seenNames.insert(listener.name).inserted { problems.append("listener name '\(listener.name)' is used twice") }
            let clash = listeners[..<index].first { $0.port != 0 && $0.port == listener.port && $0.host == listener.host }
            if let clash { problems.append("listeners '\(clash.name)' and '\(listener.name)' both bind \(listener.host):\(listener.port)") }
        }
        return problems
    }
}
