import BPFCore
import BPFVM
import TCX

/// A loaded program in the form the VM executes: verified and compiled once at load time.
final class Executable: Sendable {
    /// `sizeof(struct __sk_buff)`: the context block a tc program's r1 points at.
    static let contextSize = 192
    let program: VMProgram

    init(spec: ProgramSpec) throws(TCXError) {
        do {
            program = try VMProgram(bytes: spec.instructions)
        } catch {
            throw TCXError(error.errno, "the verifier refused \(spec.name): \(error)")
        }
    }

    /// Runs the program on `packet` and returns r0. A run that faults (an access outside what
    /// it may touch, too many instructions) ends as the kernel would never let it: with an error.
    func run(packet: inout [UInt8]) throws(TCXError) -> UInt64 {
        let program = self.program
        let result: Result<UInt64, VMFault> = packet.withUnsafeMutableBytes { packetBytes in
            withUnsafeTemporaryAllocation(byteCount: Self.contextSize, alignment: 8) { context in
                context.initializeMemory(as: UInt8.self, repeating: 0)
                context.storeBytes(of: UInt32(packetBytes.count).littleEndian, toByteOffset: 0, as: UInt32.self)
                do throws(VMFault) {
                    return .success(try Interpreter.run(program, context: context, packet: packetBytes))
                } catch {
                    return .failure(error)
                }
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let fault): throw TCXError(.EFAULT, "\(fault)")
        }
    }
}
