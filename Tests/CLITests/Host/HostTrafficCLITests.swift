import Foundation
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// Real frames: pings from a second namespace cross the veth pair into the host's `va`, where a
/// program attached by the CLI counts them in a map the CLI pinned, in tcx mode and in tc mode.
@Suite(.enabled(if: CLI.isRoot && IsolatedHost.isAvailable && access("/usr/bin/ping", X_OK) == 0,
                "needs root, ip(8) and ping"))
struct HostTrafficCLITests {
    @Test(arguments: ["tcx", "tc"])
    func pingsAreCountedByTheAttachedProgram(mode: String) throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let far = host.namespace + "-far"
            try cli.require(["ip", "netns", "add", far])
            try cli.require(["ip", "-n", host.namespace, "link", "set", "vb", "netns", far])
            try cli.require(["ip", "-n", host.namespace, "addr", "add", "10.78.0.1/24", "dev", "va"])
            try cli.require(["ip", "-n", far, "addr", "add", "10.78.0.2/24", "dev", "vb"])
            try cli.require(["ip", "-n", far, "link", "set", "vb", "up"])
            try cli.require(["ip", "-n", far, "link", "set", "lo", "up"])

            let attached = try cli.object(["attach", "va", "ingress", HostCLI.counter, "count_packets",
                                           "--mode", mode, "--pin-maps", "maps"])
            #expect(attached.text("mode") == mode)
            if mode == "tc" {
                let listed = try host.spawn(["tc", "-n", host.namespace, "filter", "show", "dev", "va", "ingress"])
                #expect(listed.output.contains("count_packets") && listed.output.contains("direct-action"), "\(listed.output)")
            }
            let pinged = try host.spawn(["ip", "netns", "exec", far, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.78.0.1"])
            #expect(pinged.status == 0, "\(pinged.output)\(pinged.errors)")

            let dump = try #require(try host.spawn([CLI.binary, "map", "dump", "--pinned", host.bpffs + "/maps/tallies", "--json"])
                .output.data(using: .utf8))
            let entries = try #require(try JSONSerialization.jsonObject(with: dump) as? [[String: Any]])
            let packets = try #require(entries.first.flatMap { Self.number($0["value"]) })
            #expect(packets >= 3, "three echo requests at least crossed the \(mode) hook")

            let detached = try cli.object(["detach", "va", "ingress", "name:count_packets"])
            #expect((detached["removed"] as? [String])?.first?.hasPrefix(mode) == true)
            _ = try? host.spawn(["ip", "netns", "delete", far])
        }
    }

    /// A little-endian u64 from bpftool-style JSON bytes ("0x03", …).
    static func number(_ value: Any?) -> UInt64? {
        guard let bytes = value as? [String] else { return nil }
        var result: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() {
            guard let parsed = UInt64(byte.dropFirst(2), radix: 16) else { return nil }
            result |= parsed << (8 * UInt64(index))
        }
        return result
    }
}
