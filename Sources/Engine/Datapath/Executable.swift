import BPFCore
import TCX

/// A loaded program in the form the VM executes. Built once at load time.
final class Executable: Sendable {
    let instructions: [UInt8]

    init(spec: ProgramSpec) throws(TCXError) {
        guard !spec.instructions.isEmpty, spec.instructions.count % 8 == 0 else {
            throw TCXError(.EINVAL, "a program is a non-empty sequence of 8-byte instructions (\(spec.instructions.count) bytes given)")
        }
        instructions = spec.instructions
    }

    /// Runs the program on `packet` and returns r0. Replaced by the VM once it lands.
    func run(packet: inout [UInt8]) throws(TCXError) -> UInt64 {
        throw TCXError(.EOPNOTSUPP, "the eBPF VM is not wired in yet")
    }
}
