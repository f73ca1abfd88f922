import Glibc
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// Host and named-namespace worlds, each in an `IsolatedHost`: a named network namespace with
/// a veth pair of its own and a bpffs of its own, all removed with it. Never the machine's
/// devices or bpffs.
@Suite(.enabled(if: KernelTestSupport.canUseKernel && IsolatedHost.isAvailable, "needs root, tcx and ip(8)"))
struct HostScopeTests {
    @Test func aNamedNamespaceWorldSeesTheNamespacesDevicesAndPinsInItsBPFFS() throws {
        try IsolatedHost.run { host in
            let setup = try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
            let (veth, peer) = try setup.createVeth(name: "app0", peer: "app1")
            setup.shutdown()

            // Devices by name or index; shutting the first world down deleted nothing.
            let world = try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
            defer { world.shutdown() }
            #expect(try world.device("app0").ifindex == veth)
            #expect(try world.device(String(peer)).name == "app1")
            #expect(try world.device("lo").kind == .loopback)
            #expect(throws: TCXError.self) { try world.device("eth-none") }

            let program = try Program(loading: .returning(-1, name: "svc"), in: world)
            let link = try program.link(to: try world.hook("app0", .tcxIngress))
            // Absolute pin paths name files in the bpffs; mkdir as a service would.
            #expect(mkdir(host.bpffs + "/svc", 0o700) == 0)
            try link.pin(at: PinPath(host.bpffs + "/svc/ingress"))
            #expect(access(host.bpffs + "/svc/ingress", F_OK) == 0)
            // A path outside the bpffs is refused before the kernel sees it.
            #expect(throws: TCXError.self) { try link.pin(at: PinPath("/tmp/elsewhere")) }
            try link.close()
            #expect(try world.state(of: world.hook("app0", .tcxIngress)).entries.count == 1)

            // The same link from a new world, as a restarted service would find it.
            let restarted = try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
            defer { restarted.shutdown() }
            let found = try Link(pinned: PinPath("svc/ingress"), in: restarted)
            #expect(try found.info.ifindex == veth)
            try found.detach()
            try restarted.unpin(PinPath("svc/ingress"))
            #expect(try restarted.state(of: restarted.hook("app0", .tcxIngress)).entries.isEmpty)
        }
    }

    @Test func closingAHostWorldClosesOnlyWhatItOpened() throws {
        try IsolatedHost.run { host in
            let other = try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
            defer { other.shutdown() }
            _ = try other.createVeth(name: "h0", peer: "h1")
            let target = try other.hook("h0", .tcxEgress)
            let othersProgram = try Program(loading: .returning(-1, name: "other"), in: other)
            let othersLink = try othersProgram.link(to: target)

            let service = try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
            let prog = try Program(loading: .returning(-1, name: "progmode"), in: service)
            try prog.attach(to: target)
            let pinned = try Program(loading: .returning(-1, name: "pinned"), in: service)
            try pinned.link(to: target).pin(at: PinPath("kept"))
            let unpinned = try Program(loading: .returning(-1, name: "unpinned"), in: service)
            let transient = try unpinned.link(to: target)
            let ids = (try prog.id, try pinned.id, try unpinned.id, try othersProgram.id)
            _ = transient.relinquish()  // left open, as a process would at exit
            #expect(try other.state(of: target).entries.count == 4)
            service.shutdown()

            // As when a process exits: its unpinned link went; its prog-mode attachment, its
            // pinned link and everybody else's stayed; the device and the pin are still there.
            let left = try other.state(of: target).entries.map(\.programID)
            #expect(left == [ids.3, ids.0, ids.1])
            #expect(!left.contains(ids.2))
            #expect(access(host.bpffs + "/kept", F_OK) == 0)
            #expect(try other.device("h0").ifindex == target.ifindex)
            try other.unpin(PinPath("kept"))
            _ = othersLink
        }
    }

    @Test func aHostWorldIsTheCallingThreadsNamespace() throws {
        try IsolatedHost.run { host in
            try host.enterNamespace()
            let world = try KernelSystem(scope: .host(bpffs: host.bpffs))
            defer { world.shutdown() }
            _ = try world.createVeth(name: "hv0", peer: "hv1")
            let listed = try host.spawn(["ip", "-n", host.namespace, "-o", "link", "show", "hv0"])
            #expect(listed.status == 0 && listed.output.contains("hv0"))
            #expect(world.pinRoot == host.bpffs)
        }
    }

    @Test func badScopesSayWhatIsWrong() throws {
        do {
            _ = try KernelSystem(scope: .namespace("tcx-no-such-namespace"))
            Issue.record("a missing namespace opened")
        } catch {
            #expect(error.errno == .ENOENT)
            #expect(error.reason.contains("tcx-no-such-namespace") && error.reason.contains("/run/netns"))
        }
        // A directory that is no bpffs: the world opens (attaching needs no pins), and only
        // pinning says why it cannot.
        try IsolatedHost.run { host in
            try host.enterNamespace()
            let world = try KernelSystem(scope: .host(bpffs: "/run/swift-tcx-test"))
            defer { world.shutdown() }
            let program = try Program(loading: .returning(-1, name: "p"), in: world)
            try program.attach(to: HookTarget(ifindex: 1, attachType: .tcxIngress))
            do {
                try program.pin(at: PinPath("p"))
                Issue.record("a pin was made outside any bpffs")
            } catch let error as TCXError {
                #expect(error.errno == .EINVAL)
                #expect(error.reason.contains("'/run/swift-tcx-test' is not on a bpffs"))
            }
        }
    }
}
