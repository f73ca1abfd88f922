import BPFCore
import BPFVM
import LinuxKernel
import TCX

/// Runs one program on the kernel (BPF_PROG_TEST_RUN) and on the VM (the interpreter, and the JIT
/// where it exists, which must agree with it) and reports both r0s.
struct DualRunner {
    /// An Ethernet frame with a local experimental EtherType, so no protocol code looks at it.
    static let packet: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5]
        + [UInt8](repeating: 0xa5, count: 50)
    /// The VM's context: the size of `__sk_buff`, all zero (so `mark` at offset 8 reads 0, as in the kernel's test run).
    static let contextSize = 192

    enum Outcome: Equatable {
        /// Both ran; the kernel's retval and the low 32 bits of the VM's r0.
        case ran(kernel: UInt32, vm: UInt32)
        case kernelRefused(String)
        case vmRefused(String)
        case vmFault(String)
    }

    let world: KernelSystem

    func run(_ program: [Instruction], name: String = "vmdiff") throws -> Outcome {
        let bytes = Instruction.encode(program)
        let handle: Handle
        do {
            handle = try world.loadProgram(ProgramSpec(name: name, instructions: bytes))
        } catch {
            return .kernelRefused(error.reason)
        }
        defer { try? world.close(handle) }
        let kernel = try world.testRun(handle, packet: Self.packet, repeat: 1).returnValue
        let vm: UInt64
        switch Self.runOnVM(bytes) {
        case .success(let r0): vm = r0
        case .failure(.refused(let reason)): return .vmRefused(reason)
        case .failure(.fault(let reason)): return .vmFault(reason)
        }
        if ExecutorKind.jitAvailable, case let jitted = Self.runOnVM(bytes, on: .jit), jitted != .success(vm) {
            return .vmFault("the JIT gave \(jitted), the interpreter \(hex(vm))")
        }
        return .ran(kernel: kernel, vm: UInt32(truncatingIfNeeded: vm))
    }

    enum VMFailure: Error, Equatable { case refused(String), fault(String) }

    /// The VM's full 64-bit r0, with the same context and packet the kernel sees.
    static func runOnVM(_ bytes: [UInt8], on executor: ExecutorKind = .interpreter) -> Result<UInt64, VMFailure> {
        let program: VMProgram
        do {
            var options = VerifierOptions()
            options.executor = executor
            program = try VMProgram(bytes: bytes, options: options)
        } catch {
            return .failure(.refused("\(error)"))
        }
        var context = [UInt8](repeating: 0, count: contextSize)
        var frame = packet
        return context.withUnsafeMutableBytes { ctx in
            frame.withUnsafeMutableBytes { data in
                do throws(VMFault) {
                    return .success(try executor.executor.run(program, context: ctx, packet: data,
                                                              environment: RunEnvironment(), r2: 0))
                } catch {
                    return .failure(.fault("\(error)"))
                }
            }
        }
    }
}
