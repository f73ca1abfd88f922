import Foundation
import Testing

/// The CO-RE corpus scripts (recorded on the kernel backend) pass on the embedded backend with
/// each target BTF: the running kernel's and the one tcx ships.
@Suite struct CORECorpusTests {
    static let scripts = ["prog_core_fields.tcx", "prog_core_types.tcx", "prog_core_flavors.tcx", "edge_core_poison.tcx"]

    static var targets: [String] {
        access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? ["shipped", "kernel"] : ["shipped"]
    }

    @Test(arguments: scripts, targets)
    func scriptPassesOnEmbedded(script: String, target: String) throws {
        let path = CLI.fixture("scripts/kernel/" + script)
        let result = try CLI.run(["script", "--backend", "embedded", path], environment: ["TCX_CORE_BTF": target])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }

    @Test func aMissingTargetFileIsNamed() throws {
        let path = CLI.fixture("scripts/kernel/prog_core_fields.tcx")
        let result = try CLI.run(["script", "--explain", "--backend", "embedded", path], environment: ["TCX_CORE_BTF": "/nonexistent/btf"])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("cannot read the CO-RE target BTF /nonexistent/btf"))
    }

    @Test func aReachedPoisonNamesItsRelocation() throws {
        let path = CLI.fixture("scripts/kernel/edge_core_poison.tcx")
        let result = try CLI.run(["script", "--explain", "--backend", "embedded", path], environment: ["TCX_CORE_BTF": "shipped"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("invalid func unknown#195896080; insn 0 poisoned by CO-RE relocation #0 (byte_off) of struct __sk_buff___gone, access '0:0': not found in the target BTF"))
    }

    @Test(.enabled(if: CLI.isRoot && access("/sys/kernel/btf/vmlinux", R_OK) == 0))
    func theKernelBackendAlwaysRelocatesForTheRunningKernel() throws {
        let path = CLI.fixture("scripts/kernel/prog_core_flavors.tcx")
        let result = try CLI.run(["script", "--backend", "kernel", path], environment: ["TCX_CORE_BTF": "/nonexistent/btf"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }
}
