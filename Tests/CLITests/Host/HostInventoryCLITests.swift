import Foundation
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// `tcx prog`, `tcx features`, `tcx netkit` and privileges on a named namespace.
@Suite(.enabled(if: CLI.isRoot && IsolatedHost.isAvailable, "needs root and ip(8)"))
struct HostInventoryCLITests {
    @Test func programsAreShownInBpftoolsLayoutAndPinned() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let loaded = try #require(try cli.json(["prog", "load", HostCLI.counter, "count_bytes", "progs/bytes"]) as? [[String: Any]])
            let id = try #require(loaded.first?.number("id")).asID
            #expect(loaded.first?.text("type") == "sched_cls" && loaded.first?.text("name") == "count_bytes")
            #expect((loaded.first?["map_ids"] as? [Any])?.count == 1, "the tallies map")

            let text = try cli.tcx(["prog", "show", "pinned:progs/bytes"])
            let lines = text.output.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first?.hasPrefix("\(id): sched_cls  name count_bytes  tag ") == true, "\(text.output)")
            #expect(lines.first?.hasSuffix("  gpl") == true)
            #expect(lines.count > 2 && lines[1].hasPrefix("\tloaded_at ") && lines[1].hasSuffix("  uid 0"))
            #expect(lines.count > 2 && lines[2].hasPrefix("\txlated ") && lines[2].contains("map_ids "))

            _ = try cli.json(["prog", "pin", "prog:\(id)", "progs/again"])
            let all = try #require(try cli.json(["prog", "list"]) as? [[String: Any]])
            #expect(all.contains { $0.number("id") == UInt64(id) })
            // A pinned program is named by its pin in a placement.
            _ = try cli.json(["attach", "va", "ingress", HostCLI.counter, "count_packets"])
            let before = try cli.object(["attach", "va", "ingress", HostCLI.counter, "pass_all", "--before", "name:count_packets"])
            #expect(before.number("position") == 0)
            let notALink = try cli.tcx(["link", "show", "pinned:progs/bytes"])
            #expect(notALink.errors.contains("is a program, not a link"), "\(notALink.errors)")
        }
    }

    @Test func featuresAreProbedAndNetkitIsRefusedWhereMissing() throws {
        let features = try HostCLI.runJSON(["features", "--json"])
        #expect(features.number("tcx") == (KernelSystem.hookFeatures.tcx ? 1 : 0))
        #expect(features.text("attach_mode_auto") == (KernelSystem.hookFeatures.tcx ? "tcx" : "tc"))
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let created = try cli.tcx(["netkit", "create", "nk0", "nk1"])
            if KernelSystem.hookFeatures.netkit {
                #expect(created.status == 0, "\(created.errors)")
            } else {
                // This kernel has no netkit: the command says so, and nothing is made.
                #expect(created.status != 0 && created.errors.contains("EOPNOTSUPP"), "\(created.errors)")
                let devices = try host.spawn(["ip", "-n", host.namespace, "-o", "link", "show"])
                #expect(!devices.output.contains("nk0"))
            }
        }
    }

    @Test(.enabled(if: access("/usr/bin/setpriv", X_OK) == 0, "needs setpriv (util-linux)"))
    func aProcessWithoutCapabilitiesIsToldWhichItLacks() throws {
        try IsolatedHost.run { host in
            let dropAll = ["/usr/bin/setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", CLI.binary]
            let entering = try host.spawn(dropAll + ["prog", "list", "--netns", host.namespace, "--bpffs", host.bpffs])
            #expect(entering.status != 0)
            #expect(entering.errors.contains("EPERM") && entering.errors.contains("CAP_SYS_ADMIN"), "\(entering.errors)")
            // Already in the namespace (children inherit the thread's): bpf(2) itself is refused.
            try host.enterNamespace()
            let listing = try host.spawn(dropAll + ["prog", "list", "--bpffs", host.bpffs])
            #expect(listing.status != 0)
            #expect(listing.errors.contains("EPERM") && listing.errors.contains("lacks CAP_BPF (or CAP_SYS_ADMIN)"),
                    "\(listing.errors)")
        }
    }
}

extension HostCLI {
    /// A command that needs no scope, its JSON object.
    static func runJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(arguments)
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw IsolatedHost.Failure("tcx \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return object
    }
}
