import SwiftTCX
import TCX
import TCXScript
import Testing

/// The network-state commands: what they parse to, and parse errors that name file and line
/// and say what was expected.
@Suite struct NetworkCommandTests {
    static func parseError(_ text: String) -> ScriptParseError? {
        do {
            _ = try ScriptParser.parse("dev v1 veth v2\nprog p ret pass\n" + text, file: "net.tcx")
            return nil
        } catch {
            return error
        }
    }

    @Test func commandsParse() throws {
        let lines = try ScriptParser.parse("""
            dev v1 veth v2
            mac v1 02:00:00:00:01:01
            mtu v1 1400
            addr v1 10.0.1.1/24
            addr v1 2001:db8::1/64
            route 0.0.0.0/0 dev v1 via 10.0.1.254
            route ::/0 dev v1
            neigh v1 10.0.1.254 aa:bb:cc:dd:ee:ff
            listen tcp 10.0.1.1 80
            listen udp :: 53
            prog p ret pass
            test-run p packet=0000000000000000000000000800 dev=v1 repeat=2
            """, file: "net.tcx")
        #expect(lines.count == 12)
        #expect(lines[2].command == .mtu(device: "v1", 1400))
        guard case .route(let destination, "v1", let gateway) = lines[5].command else {
            Issue.record("route did not parse: \(lines[5].command)")
            return
        }
        #expect(destination.length == 0 && gateway?.description == "10.0.1.254")
        #expect(lines[9].command == .listen(.udp, address: try #require(IPAddress("::")), port: 53))
        guard case .testRunOnDevice(_, _, 2, "v1") = lines[11].command else {
            Issue.record("test-run dev= did not parse: \(lines[11].command)")
            return
        }
    }

    @Test(arguments: [
        ("mac v1 02:00:00:00:01", "'02:00:00:00:01' is not a MAC address (aa:bb:cc:dd:ee:ff)"),
        ("mac v1 02:00:00:00:01:zz", "'02:00:00:00:01:zz' is not a MAC address (aa:bb:cc:dd:ee:ff)"),
        ("mtu v1 big", "MTU takes a number, not 'big'"),
        ("addr v1 10.0.1.1", "'10.0.1.1' is not ADDRESS/PREFIX"),
        ("addr v1 10.0.1.1/33", "'33' is not a prefix length of an IPv4 address (0-32)"),
        ("addr v1 2001:db8::1/129", "'129' is not a prefix length of an IPv6 address (0-128)"),
        ("addr v1 10.0.1.300/24", "'10.0.1.300' is not an IPv4 or IPv6 address"),
        ("route 10.0.0.0/8 v1", "expected: route DEST/PREFIX dev DEV [via GATEWAY]"),
        ("route 10.0.0.0/8 dev v1 via 2001:db8::1", "gateway 2001:db8::1 is not of the same family as 10.0.0.0/8"),
        ("neigh v1 10.0.0.1", "expected: neigh DEV ADDRESS MAC"),
        ("neigh nope 10.0.0.1 aa:bb:cc:dd:ee:ff", "device nope is used before a line creates it"),
        ("neigh p 10.0.0.1 aa:bb:cc:dd:ee:ff", "p is a program or link, not a device"),
        ("listen sctp 10.0.0.1 80", "listen takes tcp or udp, not 'sctp'"),
        ("listen tcp 10.0.0.1 65536", "PORT is a number from 0 to 65535, not '65536'"),
        ("mtu v1 1400 x=1", "this command takes no option x="),
        ("test-run p packet=00 dev=nope", "device nope is used before a line creates it"),
    ])
    func badOperandsAreParseErrorsNamingTheLine(line: String, message: String) throws {
        let error = try #require(Self.parseError(line))
        #expect(error.file == "net.tcx" && error.line == 3)
        #expect(error.message == message)
    }

    @Test func commandsRunOnTheEmbeddedBackend() throws {
        let lines = try ScriptParser.parse("""
            dev v1 veth v2
            addr v1 10.0.1.1/24 => ok
            addr v1 10.0.1.1/24 => error EEXIST
            route 10.9.0.0/16 dev v1 via 10.0.1.254 => ok
            route 10.8.0.0/16 dev v1 via 10.7.0.1 => error ENETUNREACH
            neigh v1 10.0.1.254 aa:bb:cc:00:00:01 => ok
            mac v1 ff:ff:ff:ff:ff:ff => error EADDRNOTAVAIL
            listen tcp 10.0.1.1 80 => ok
            listen tcp 10.0.1.1 80 => error EADDRINUSE
            """, file: "net.tcx")
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = ScriptRunner(system: world, directory: "/").run(lines)
        for result in results where !result.matches { Issue.record("\(result.printed)") }
    }
}
