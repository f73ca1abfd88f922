import Glibc
import LinuxKernel
import TCX
import Testing

/// Whether BPF_PROG_TEST_RUN can be used here: root, and a kernel that loads and runs a program.
enum KernelAvailability {
    static let canUseKernel: Bool = {
        guard geteuid() == 0 else {
            print("VMDifferentialTests: not root, the kernel comparisons are skipped")
            return false
        }
        do {
            let world = try KernelSystem()
            defer { world.shutdown() }
            let program = try world.loadProgram(.returning(7, name: "probe"))
            let result = try world.testRun(program, packet: DualRunner.packet, repeat: 1)
            guard result.returnValue == 7 else {
                print("VMDifferentialTests: test run returned \(result.returnValue), not 7; skipped")
                return false
            }
            return true
        } catch {
            print("VMDifferentialTests: no BPF_PROG_TEST_RUN here (\(error)), the kernel comparisons are skipped")
            return false
        }
    }()
}

/// The trait every test that needs the real kernel carries.
let needsKernel = Testing.ConditionTrait.enabled(if: KernelAvailability.canUseKernel,
                                                  "needs root and bpf(2) with BPF_PROG_TEST_RUN")
