import TCX

/// The network-state commands (`mac`, `mtu`, `addr`, `route`, `neigh`, `listen`) and
/// `test-run … dev=`: every address, prefix and MAC is checked here, so a bad one is a parse
/// error naming the line.
extension ScriptParser {
    mutating func parseNetworkCommand(_ verb: String, _ args: [String],
                                      _ options: [String: String]) throws(ScriptParseError) -> ScriptCommand {
        try allow(options, [])
        switch verb {
        case "mac":
            try expect(args, exactly: 2, "mac DEV MAC")
            return .mac(device: try device(args[0]), try mac(args[1]))
        case "mtu":
            try expect(args, exactly: 2, "mtu DEV N")
            guard let value = Self.integer(args[1], UInt32.self) else {
                throw fail("MTU takes a number, not '\(args[1])'")
            }
            return .mtu(device: try device(args[0]), value)
        case "addr":
            try expect(args, exactly: 2, "addr DEV ADDRESS/PREFIX")
            return .addr(device: try device(args[0]), try prefix(args[1]))
        case "route":
            guard args.count == 3 || args.count == 5, args[1] == "dev", args.count == 3 || args[3] == "via" else {
                throw fail("expected: route DEST/PREFIX dev DEV [via GATEWAY]")
            }
            let destination = try prefix(args[0])
            let gateway = args.count == 5 ? try address(args[4]) : nil
            if let gateway, gateway.isIPv4 != destination.address.isIPv4 {
                throw fail("gateway \(args[4]) is not of the same family as \(args[0])")
            }
            return .route(destination: destination, device: try device(args[2]), gateway: gateway)
        case "neigh":
            try expect(args, exactly: 3, "neigh DEV ADDRESS MAC")
            return .neigh(device: try device(args[0]), address: try address(args[1]), try mac(args[2]))
        default:
            try expect(args, exactly: 3, "listen tcp|udp ADDRESS PORT")
            guard let transport = SocketProtocol(rawValue: args[0]) else {
                throw fail("listen takes tcp or udp, not '\(args[0])'")
            }
            guard let port = UInt16(args[2]) else { throw fail("PORT is a number from 0 to 65535, not '\(args[2])'") }
            return .listen(transport, address: try address(args[1]), port: port)
        }
    }

    mutating func testRunOnDevice(_ program: String, _ deviceName: String,
                                  _ options: [String: String]) throws(ScriptParseError) -> ScriptCommand {
        .testRunOnDevice(program: try handle(program), packet: try packet(options["packet"]),
                         repeat: try number(options["repeat"], UInt32.self, "repeat") ?? 1,
                         device: try device(deviceName))
    }

    private func mac(_ word: String) throws(ScriptParseError) -> MACAddress {
        guard let mac = MACAddress(word) else { throw fail("'\(word)' is not a MAC address (aa:bb:cc:dd:ee:ff)") }
        return mac
    }

    private func address(_ word: String) throws(ScriptParseError) -> IPAddress {
        guard let address = IPAddress(word) else { throw fail("'\(word)' is not an IPv4 or IPv6 address") }
        return address
    }

    private func prefix(_ word: String) throws(ScriptParseError) -> IPPrefix {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("'\(word)' is not ADDRESS/PREFIX") }
        guard let address = IPAddress(String(parts[0])) else { throw fail("'\(parts[0])' is not an IPv4 or IPv6 address") }
        guard let prefix = IPPrefix(word) else {
            throw fail("'\(parts[1])' is not a prefix length of an \(address.isIPv4 ? "IPv4 address (0-32)" : "IPv6 address (0-128)")")
        }
        return prefix
    }
}
