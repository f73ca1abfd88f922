import BPFCore
import Engine
import Synchronization
import TCX
import TCXScript
import Testing

/// bpf_redirect_neigh on the datapath: the frame leaves the target device with the device's MAC
/// as source and the next hop's neighbour as destination (a test-run only shows the verdict).
@Suite struct NeighbourRedirectTests {
    final class Capture: PacketSink, Sendable {
        let frames = Mutex<[(UInt32, [UInt8])]>([])
        func delivered(_ frame: [UInt8], at ifindex: UInt32) {}
        func sent(_ frame: [UInt8], from ifindex: UInt32) { frames.withLock { $0.append((ifindex, frame)) } }
        func dropped(_ frame: [UInt8], at ifindex: UInt32, reason: String) {}
    }

    static var corpus: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Tests/Fixtures/corpus/net"
    }

    /// An IPv4/UDP frame to `destination` whose identification field names ifindex 3 (v1).
    static func frame(to destination: [UInt8]) -> [UInt8] {
        [2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 9, 9, 0x08, 0x00,
         0x45, 0, 0, 28, 0, 3, 0, 0, 64, 17, 0, 0, 10, 0, 2, 2] + destination + [UInt8](repeating: 0, count: 8)
    }

    @Test(arguments: [([UInt8]([10, 9, 1, 1]), [UInt8]([0xaa, 0xbb, 0xcc, 0, 0, 1])),
                      ([10, 0, 1, 7], [0xaa, 0xbb, 0xcc, 0, 0, 7])])
    func theFrameLeavesWithTheResolvedMACs(destination: [UInt8], neighbour: [UInt8]) throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let lines = try ScriptParser.parse("""
            dev v1 veth v2
            mac v1 02:00:00:00:01:01
            addr v1 10.0.1.1/24
            route 10.9.0.0/16 dev v1 via 10.0.1.254
            neigh v1 10.0.1.254 aa:bb:cc:00:00:01
            neigh v1 10.0.1.7 aa:bb:cc:00:00:07
            prog p load neigh.o neigh_plain
            attach p v2 ingress
            """, file: "neigh")
        for result in ScriptRunner(system: world, directory: Self.corpus).run(lines) {
            #expect(result.result == "ok", "\(result.printed)")
        }
        let capture = Capture()
        let path = world.send(Self.frame(to: destination), device: 2, .ingress, sink: capture)
        let sent = capture.frames.withLock { $0 }
        let leaving = try #require(sent.first { $0.0 == 3 }, "\(path)")
        #expect(Array(leaving.1.prefix(14)) == neighbour + [2, 0, 0, 0, 1, 1, 0x08, 0x00])
        #expect(Array(leaving.1.dropFirst(14)) == Array(Self.frame(to: destination).dropFirst(14)))
    }

    @Test func aNextHopWithoutNeighbourGoesNowhere() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let lines = try ScriptParser.parse("""
            dev v1 veth v2
            addr v1 10.0.1.1/24
            prog p load neigh.o neigh_plain
            attach p v2 ingress
            """, file: "neigh")
        _ = ScriptRunner(system: world, directory: Self.corpus).run(lines)
        let capture = Capture()
        _ = world.send(Self.frame(to: [10, 0, 1, 8]), device: 2, .ingress, sink: capture)
        #expect(capture.frames.withLock { $0 }.allSatisfy { $0.0 != 3 })
    }
}
