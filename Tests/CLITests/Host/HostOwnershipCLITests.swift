import Foundation
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// Who owns an attachment, across processes: a link held by a process goes when the process
/// does, however it ends; a pinned link outlives its maker and another process can take it over.
@Suite(.enabled(if: CLI.isRoot && IsolatedHost.isAvailable, "needs root and ip(8)"))
struct HostOwnershipCLITests {
    @Test(arguments: [SIGKILL, SIGTERM])
    func aHeldLinkGoesWithItsProcess(signal: Int32) throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let pid = try host.start([CLI.binary, "attach", "va", "egress", HostCLI.counter, "count_packets",
                                      "--link", "--hold", "--netns", host.namespace, "--bpffs", host.bpffs])
            let held = try cli.await("va", .tcxEgress) { $0.entries.count == 1 }
            #expect(held.entries.first?.linkID != nil, "the child attached through a link")
            kill(pid, signal)
            let status = IsolatedHost.wait(pid)
            #expect(status == (signal == SIGKILL ? 128 + SIGKILL : 0), "SIGTERM ends --hold cleanly")
            let after = try cli.await("va", .tcxEgress, seconds: 5) { $0.entries.isEmpty }
            #expect(after.entries.isEmpty, "the link closed with its process and took the program off the hook")
        }
    }

    @Test func aPinnedLinkOutlivesItsMakerAndAnotherProcessTakesItOver() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let made = try cli.object(["attach", "va", "ingress", HostCLI.counter, "count_packets",
                                       "--link", "--pin", "owned/by-cli"])
            let linkID = try #require(made.number("link_id")).asID
            let firstProgram = try #require(made.number("program_id")).asID
            #expect(made.text("pinned") == "owned/by-cli")
            // The command has exited: only the pin holds the link.
            let entries = try cli.state("va", .tcxIngress).entries
            #expect(entries.map(\.programID) == [firstProgram] && entries.map(\.linkID) == [linkID])

            let world = try cli.world()
            defer { world.shutdown() }
            let link = try Link(pinned: PinPath("owned/by-cli"), in: world)
            #expect(try link.info.id == linkID)
            let objects = try ObjectCollection(file: HostCLI.counter, in: world)
            let replacement = try objects.program("count_bytes")
            let stranger = try objects.program("pass_all")
            // Expecting a program the link does not run is refused, and changes nothing.
            #expect { try link.update(to: replacement, expecting: stranger) } throws: { ($0 as? TCXError)?.errno == .EPERM }
            let current = try Program(id: firstProgram, in: world)
            try link.update(to: replacement, expecting: current)
            let replacementID = try replacement.id
            #expect(try world.state(of: world.hook("va", .tcxIngress)).entries.map(\.programID) == [replacementID])

            // The CLI sees the same link, now running the replacement.
            let shown = try #require(try cli.json(["link", "show", "pinned:owned/by-cli"]) as? [[String: Any]])
            #expect(shown.first?.number("prog_id") == UInt64(replacementID) && shown.first?.text("devname") == "va")

            try link.detach()
            #expect(try world.state(of: world.hook("va", .tcxIngress)).entries.isEmpty)
            try world.unpin(PinPath("owned/by-cli"))
        }
    }

    @Test func linkVerbsUpdateDetachAndPinThroughTheCLI() throws {
        try IsolatedHost.run { host in
            let cli = try HostCLI(host)
            let made = try cli.object(["attach", "vb", "ingress", HostCLI.counter, "count_packets", "--link", "--pin", "l1"])
            let linkID = try #require(made.number("link_id")).asID
            let programID = try #require(made.number("program_id")).asID
            let wrong = try cli.tcx(["link", "update", "link:\(linkID)", HostCLI.counter, "pass_all",
                                     "--expect", "prog:\(programID + 100_000)"])
            #expect(wrong.status != 0, "\(wrong.output)")
            let updated = try cli.object(["link", "update", "link:\(linkID)", HostCLI.counter, "pass_all",
                                          "--expect", "prog:\(programID)"])
            #expect(updated.number("link_id") == UInt64(linkID) && updated.number("prog_id") != UInt64(programID))
            _ = try cli.json(["link", "pin", "link:\(linkID)", "l2"])
            let listed = try #require(try cli.json(["link", "list"]) as? [[String: Any]])
            #expect(listed.contains { $0.number("id") == UInt64(linkID) && $0.text("attach_type") == "tcx_ingress" })
            _ = try cli.json(["link", "detach", "pinned:l2"])
            #expect(try cli.state("vb", .tcxIngress).entries.isEmpty)
            let text = try cli.tcx(["link", "show", "pinned:l1"])
            #expect(text.output == "\(linkID): tcx  prog \(try #require(updated.number("prog_id")))\n\tifindex 0 (detached)  attach_type tcx_ingress\n",
                    "\(text.output)")
        }
    }
}
