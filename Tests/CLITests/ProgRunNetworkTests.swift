import Foundation
import Testing

/// `tcx prog run --setup FILE --dev DEV`: the network the FIB helper consults, on both backends.
@Suite struct ProgRunNetworkTests {
    static let setup = """
        dev v1 veth v2
        mac v1 02:00:00:00:01:01
        addr v1 10.0.1.1/24
        route 10.9.0.0/16 dev v1 via 10.0.1.254
        neigh v1 10.0.1.254 aa:bb:cc:00:00:01

        """

    /// A fib_probe frame: Ethernet header, struct bpf_fib_lookup (IPv4 to 10.9.1.1 from ifindex
    /// 3), flags 0 and the params length 64.
    static func frame() -> [UInt8] {
        var params = [UInt8](repeating: 0, count: 64)
        params[0] = 2
        params[1] = 6
        params[8] = 3
        params.replaceSubrange(32..<36, with: [10, 9, 1, 1])
        return [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 2, 2, 0x88, 0xb5] + params + [0, 0, 0, 0, 64, 0, 0, 0]
    }

    @Test(arguments: CLI.isRoot ? ["embedded", "kernel"] : ["embedded"])
    func fibLookupSeesTheSetUpNetwork(backend: String) throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.frame())
        let setup = scratch.file("setup.tcx", text: Self.setup)
        let out = scratch.path + "/out"
        let result = try CLI.run(["prog", "run", CLI.fixture("corpus/net/fib.o"), "fib_probe", "--data-in", packet,
                                  "--data-out", out, "--setup", setup, "--dev", "v2", "--backend", backend])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Return value: 0,"), "\(result.stdout)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        // The next hop (the gateway) and the neighbour's MAC came back.
        #expect(Array(bytes[46..<50]) == [10, 0, 1, 254])
        #expect(Array(bytes[72..<78]) == [0xaa, 0xbb, 0xcc, 0, 0, 1])
    }

    @Test func anUnknownDeviceIsNamed() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.frame())
        let result = try CLI.run(["prog", "run", CLI.fixture("corpus/net/fib.o"), "fib_probe", "--data-in", packet,
                                  "--dev", "v9"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--dev v9: no device of that name"), "\(result.stderr)")
    }

    @Test func aFailedSetupLineIsNamed() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.frame())
        let setup = scratch.file("setup.tcx", text: "dev v1 veth v2\nmtu v1 10\n")
        let result = try CLI.run(["prog", "run", CLI.fixture("corpus/net/fib.o"), "fib_probe", "--data-in", packet,
                                  "--setup", setup])
        #expect(result.status != 0)
        #expect(result.stderr.contains("setup.tcx:2: mtu v1 10 failed: error EINVAL"), "\(result.stderr)")
    }
}
