import Foundation
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// `tcx attach` and `tcx detach` on a named namespace: prog mode stays after the command,
/// placements land where asked, detach finds the program in either mode, refusals explain.
@Suite(.enabled(if: CLI.isRoot && IsolatedHost.isAvailable, "needs root and ip(8)"))
struct HostAttachCLITests {
    @Test func progModeStaysAfterTheCommandAndDetachRemovesIt() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let first = try cli.object(["attach", "va", "ingress", HostCLI.counter, "count_packets"])
            #expect(first.text("mode") == "tcx" && first.number("position") == 0 && first.number("count") == 1)
            let second = try cli.object(["attach", "va", "ingress", HostCLI.counter, "pass_all", "--head"])
            #expect(second.number("position") == 0 && second.number("count") == 2)
            let third = try cli.object(["attach", "va", "ingress", HostCLI.counter, "count_bytes",
                                        "--after", "name:pass_all"])
            #expect(third.number("position") == 1)
            let ids = try [second, third, first].map { try #require($0.number("program_id")).asID }
            // The commands have exited; the kernel still holds the three, in that order.
            #expect(try cli.state("va", .tcxIngress).entries.map(\.programID) == ids)

            let byName = try cli.object(["detach", "va", "ingress", "name:count_bytes"])
            #expect(byName.number("program_id") == UInt64(ids[1]) && (byName["removed"] as? [String]) == ["tcx"])
            _ = try cli.json(["detach", "va", "ingress", "prog:\(ids[0])"])
            _ = try cli.json(["detach", "va", "ingress", "prog:\(ids[2])", "--mode", "tcx"])
            #expect(try cli.state("va", .tcxIngress).entries.isEmpty)
            let again = try cli.tcx(["detach", "va", "ingress", "prog:\(ids[2])"])
            #expect(again.status != 0 && again.errors.contains("ENOENT"), "\(again.errors)")
        }
    }

    @Test func aRevisionThatMovedOnIsRefusedAndExplained() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let first = try cli.object(["attach", "va", "egress", HostCLI.counter, "count_packets"])
            let revision = try #require(first.number("revision"))
            _ = try cli.json(["attach", "va", "egress", HostCLI.counter, "pass_all", "--revision", "\(revision)"])
            let stale = try cli.tcx(["attach", "va", "egress", HostCLI.counter, "count_bytes",
                                     "--revision", "\(revision)", "--explain"])
            #expect(stale.status != 0)
            #expect(stale.errors.contains("ESTALE") && stale.errors.contains("rule:"), "\(stale.errors)")
            #expect(stale.errors.contains("refuses with ESTALE too"), "\(stale.errors)")

            let missing = try cli.tcx(["attach", "va", "egress", HostCLI.counter, "pass_all", "--before", "prog:4000000000"])
            #expect(missing.errors.contains("ENOENT") && missing.errors.contains("--explain"), "\(missing.errors)")
            #expect(try cli.state("va", .tcxEgress).entries.count == 2, "refusals changed nothing")
        }
    }

    @Test func tcModeIsAClsBPFFilterThatTcLists() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let tail = try cli.object(["attach", "va", "ingress", HostCLI.counter, "count_packets", "--mode", "tc"])
            #expect(tail.text("mode") == "tc" && tail.number("priority") == 0x8000 && tail.number("handle") == 1)
            let head = try cli.object(["attach", "va", "ingress", HostCLI.counter, "pass_all", "--mode", "tc", "--head"])
            #expect(head.number("priority") == 0x7FFF)
            let listed = try host.spawn(["tc", "-n", host.namespace, "filter", "show", "dev", "va", "ingress"])
            #expect(listed.output.contains("pref 32768") && listed.output.contains("count_packets"), "\(listed.output)")
            #expect(listed.output.contains("direct-action"))

            let relative = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_bytes", "--mode", "tc",
                                        "--after", "name:pass_all"])
            #expect(relative.status != 0)
            #expect(relative.errors.contains("EOPNOTSUPP") && relative.errors.contains("classic tc has no relative placement"),
                    "\(relative.errors)")
            #expect(relative.errors.contains("after program id "), "the anchor in words: \(relative.errors)")
            let link = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_bytes", "--mode", "tc",
                                    "--link", "--pin", "l"])
            #expect(link.errors.contains("classic tc has no links"), "\(link.errors)")

            let removed = try cli.object(["detach", "va", "ingress", "name:count_packets"])
            #expect((removed["removed"] as? [String]) == ["tc prio 32768 handle 1"])
            let view = try cli.object(["net", "show"])
            let devices = try #require(view["devices"] as? [[String: Any]])
            let va = try #require(devices.first { $0.text("name") == "va" })
            let classic = try #require(va["classic"] as? [[String: Any]])
            #expect(classic.count == 1 && classic.first?.text("programName") == "pass_all")
        }
    }

    @Test func aRefusedAttachLeavesNoPinsBehind() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let refused = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_packets",
                                       "--before", "link:4000000000", "--pin-maps", "maps"])
            #expect(refused.status != 0 && refused.errors.contains("ENOENT"), "\(refused.errors)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: host.bpffs + "/maps")) ?? []
            #expect(left.isEmpty, "map pins of a failed attach: \(left)")
            let pinFails = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_packets",
                                        "--link", "--pin", "/elsewhere/link"])
            #expect(pinFails.errors.contains("not below"), "\(pinFails.errors)")
            #expect(try cli.state("va", .tcxIngress).entries.isEmpty, "the unpinned link went")
        }
    }

    @Test func aLinkNeedsAPinOrAHold() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let bare = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_packets", "--link"])
            #expect(bare.status != 0)
            #expect(bare.errors.contains("--link needs --pin PATH or --hold"), "\(bare.errors)")
            let pinOnly = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "count_packets", "--pin", "x"])
            #expect(pinOnly.errors.contains("--pin pins a link"))
            #expect(try cli.state("va", .tcxIngress).entries.isEmpty)
        }
    }

    @Test func badReferencesAndDevicesSayWhatIsWrong() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let device = try cli.tcx(["attach", "nosuch0", "ingress", HostCLI.counter, "count_packets"])
            #expect(device.status != 0 && device.errors.contains("no device named 'nosuch0'"), "\(device.errors)")
            let reference = try cli.tcx(["detach", "va", "ingress", "program7"])
            #expect(reference.status != 0 && reference.errors.contains("'program7' is not a reference") && reference.errors.contains("prog:ID"), "\(reference.errors)")
            let program = try cli.tcx(["attach", "va", "ingress", HostCLI.counter, "no_such_function"])
            #expect(program.errors.contains("no_such_function"), "\(program.errors)")
            let file = try cli.tcx(["attach", "va", "ingress", "/nonexistent.o", "p"])
            #expect(file.status != 0 && file.errors.contains("/nonexistent.o"), "\(file.errors)")
            let namespace = try host.spawn([CLI.binary, "link", "list", "--netns", "tcx-no-such-ns"])
            #expect(namespace.errors.contains("no such network namespace"), "\(namespace.errors)")
        }
    }
}

extension UInt64 {
    var asID: UInt32 { UInt32(truncatingIfNeeded: self) }
}
