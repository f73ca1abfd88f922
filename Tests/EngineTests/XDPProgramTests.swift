import SwiftTCX
import Testing

/// XDP programs in an object of tc programs: both backends load them (so the attach rules that
/// refuse them on tcx hooks hold), and only the kernel runs them: the embedded backend has no
/// xdp_md context and says so instead of running them with the tc one.
@Suite struct XDPProgramTests {
    static let object = TestBackends.fixture("objects/xdp_context.o")
    let frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 40)

    @Test(arguments: TestBackends.available) func anXDPProgramReadingItsContextLoads(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let xdp = try collection.program("xdp_reads_md")
        #expect(try xdp.info.name == "xdp_reads_md")
        // The tc program of the same file runs on both backends alike.
        #expect(try collection.program("tc_beside_xdp").testRun(packet: frame).returnValue == 2)
        do {
            _ = try xdp.link(to: HookTarget(ifindex: 1, attachType: .tcxIngress))
            Issue.record("an XDP program was attached to a tcx hook")
        } catch {
            #expect(error.errno == .EINVAL)
        }
    }

    @Test func theEmbeddedBackendRefusesToRunAnXDPProgram() throws {
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let xdp = try ObjectCollection(file: Self.object, in: world).program("xdp_reads_md")
        do {
            _ = try xdp.testRun(packet: frame)
            Issue.record("the embedded backend ran an XDP program")
        } catch {
            #expect(error.errno == .EOPNOTSUPP)
            #expect(error.reason.contains("xdp_reads_md is a xdp program"))
        }
    }

    /// Helpers only XDP offers (`bpf_xdp_adjust_head`, `bpf_xdp_adjust_tail`) load as on the
    /// kernel, and the embedded backend still answers a test-run with EOPNOTSUPP.
    @Test(arguments: TestBackends.available) func anXDPOnlyHelperLoads(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: TestBackends.fixture("verifier/xdp_helpers.o"), in: world)
        let xdp = try collection.program("head_and_tail")
        do {
            let result = try xdp.testRun(packet: frame)
            #expect(backend == .kernel && result.returnValue == 2)  // XDP_PASS
        } catch {
            #expect(backend == .embedded && error.errno == .EOPNOTSUPP)
        }
    }

    @Test func theKernelRunsItWithItsOwnContext() throws {
        guard TestBackends.available.contains(.kernel) else {
            print("skipped: the kernel backend needs root")
            return
        }
        let world = try Backend.kernel.openWorld()
        defer { world.shutdown() }
        let xdp = try ObjectCollection(file: Self.object, in: world).program("xdp_reads_md")
        // A test-run's xdp_md names lo (ifindex 1) and queue 0: XDP_PASS.
        #expect(try xdp.testRun(packet: frame).returnValue == 2)
    }
}
