import Foundation
import LinuxKernel
import Testing

/// A kernel-backend run killed with SIGKILL in the middle of its script leaves nothing on the
/// machine: its world's namespace, devices, bpffs and pins go with the process, and with them
/// every program and link it made.
@Suite(.enabled(if: CLI.isRoot, "bpf(2) needs root"))
struct KilledRunTests {
    /// What of a world could outlive its process, as seen from outside.
    struct Traces: Equatable {
        var bpfMounts: [String]
        var namedNamespaces: [String]
        var temporaryDirectories: [String]
        var devices: [String]

        static func now() -> Traces {
            let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
            let files = FileManager.default
            return Traces(
                bpfMounts: mounts.split(separator: "\n").map(String.init).filter { $0.contains(" - bpf ") }.sorted(),
                namedNamespaces: ((try? files.contentsOfDirectory(atPath: "/run/netns")) ?? []).sorted(),
                temporaryDirectories: ((try? files.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("swift-tcx") }.sorted(),
                devices: ((try? files.contentsOfDirectory(atPath: "/sys/class/net")) ?? []).sorted())
        }
    }

    /// Programs named `name` and links to them, machine-wide.
    private func objects(named name: String, in inventory: KernelSystem) throws -> (programs: [UInt32], links: [UInt32]) {
        let programs = try inventory.allProgramIDs().filter { (try? inventory.programDetails(id: $0))??.name == name }
        let links = try inventory.allLinkIDs().filter { id in
            guard let link = try? inventory.linkSummary(id: id) else { return false }
            return programs.contains(link.programID)
        }
        return (programs, links)
    }

    @Test func nothingOutlivesAKilledRun() throws {
        let inventory = try KernelSystem()
        defer { inventory.shutdown() }
        let name = "killed" + String(UInt32.random(in: 0 ..< UInt32.max), radix: 16)
        let scratch = try TemporaryDirectory()
        let packet = hex(tcpFrame(length: 64))
        // The last line runs for minutes in the kernel unless the process dies first.
        let script = scratch.file("killed.tcx", text: """
            dev kv0 veth kv1
            prog \(name) ret next
            link l \(name) kv0 ingress
            attach \(name) kv1 egress
            pin l /pinned/link
            pin \(name) /prog
            test-run \(name) packet=\(packet) repeat=4000000000

            """)
        let before = Traces.now()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["script", "--backend", "kernel", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Wait until the world holds its program and link, and the script has reached its run.
        var seen = (programs: [UInt32](), links: [UInt32]())
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            seen = try objects(named: name, in: inventory)
            if !seen.programs.isEmpty, !seen.links.isEmpty { break }
            usleep(20_000)
        }
        try #require(!seen.programs.isEmpty && !seen.links.isEmpty, "the run never made its program and link")
        usleep(300_000)
        try #require(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        // The kernel frees what the process held with its last file; links and programs go
        // after an RCU grace period, so give them a moment.
        var left = seen
        let settled = Date().addingTimeInterval(10)
        while Date() < settled {
            left = try objects(named: name, in: inventory)
            if left.programs.isEmpty, left.links.isEmpty { break }
            usleep(50_000)
        }
        #expect(left.programs.isEmpty, "programs left loaded: \(left.programs)")
        #expect(left.links.isEmpty, "links left: \(left.links)")
        let after = Traces.now()
        #expect(after.bpfMounts == before.bpfMounts)
        #expect(after.namedNamespaces == before.namedNamespaces)
        #expect(after.temporaryDirectories == before.temporaryDirectories)
        #expect(after.devices == before.devices)
    }
}
