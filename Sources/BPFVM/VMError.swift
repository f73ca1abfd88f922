import BPFCore

/// Why a program was refused at load time, like a line of the kernel's verifier log.
public struct VMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The instruction slot the complaint is about, when there is one.
    public let instruction: Int?
    public let reason: String
    /// What bpf(BPF_PROG_LOAD) would return for this refusal.
    public let errno: LinuxErrno

    public init(instruction: Int?, _ reason: String, errno: LinuxErrno = .EINVAL) {
        self.instruction = instruction
        self.reason = reason
        self.errno = errno
    }

    public var description: String {
        guard let instruction else { return reason }
        return "insn \(instruction): \(reason)"
    }
}

/// A runtime fault: the program was stopped and produced no result.
public struct VMFault: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A load or store outside the stack, context, packet and granted regions.
        case outOfBounds(address: UInt64, size: Int, write: Bool)
        /// An atomic access not aligned to its size.
        case misaligned(address: UInt64, size: Int)
        /// The run-time instruction budget (the loop limit) was used up.
        case instructionLimit
        /// More than the allowed bpf-to-bpf call frames.
        case callDepth
        /// `callx` named a helper that does not exist.
        case unknownHelper(Int64)
        /// A helper refused its arguments.
        case helper(String)
    }

    public let instruction: Int
    public let kind: Kind

    public init(instruction: Int, kind: Kind) {
        self.instruction = instruction
        self.kind = kind
    }

    public var description: String {
        let what: String = switch kind {
        case let .outOfBounds(address, size, write):
            "invalid \(write ? "write" : "read") of \(size) bytes at 0x\(String(address, radix: 16))"
        case let .misaligned(address, size):
            "misaligned \(size)-byte atomic access at 0x\(String(address, radix: 16))"
        case .instructionLimit: "run budget spent (instruction limit reached): a loop the verifier did not prove to end ran past it"
        case .callDepth: "call stack too deep"
        case .unknownHelper(let id): "callx to unknown helper \(id)"
        case .helper(let reason): "helper failed: \(reason)"
        }
        return "insn \(instruction): \(what)"
    }
}
