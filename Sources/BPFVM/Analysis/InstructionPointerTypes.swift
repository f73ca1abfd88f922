import BPFCore

/// The pointer type each load, store and atomic went through on the paths explored so far.
/// The kernel rewrites context and socket accesses per instruction, so one instruction may not
/// go through the context (or a socket) on one path and through another pointer type on
/// another (`save_aux_ptr_type`: EINVAL, "same insn cannot be used with different pointers").
struct InstructionPointerTypes {
    private var seen: [Int: String] = [:]

    /// The base register of a memory access, read before the instruction runs.
    static func base(of op: Operation, _ state: PathState) -> AbstractValue? {
        switch op {
        case let .load(_, _, _, src, _): return state.registers[Int(src)]
        case let .store(_, dst, _, _): return state.registers[Int(dst)]
        case let .atomic(kind, _, dst, src, _): return state.registers[Int(kind == .loadAcquire ? src : dst)]
        default: return nil
        }
    }

    mutating func record(_ base: AbstractValue, at index: Int) throws(VMError) {
        guard base.isKnownPointer else { return }
        let type = base.typeName
        guard let previous = seen[index] else {
            seen[index] = type
            return
        }
        if previous != type, Self.rewritten.contains(previous) || Self.rewritten.contains(type) {
            throw VMError(instruction: index, "same insn cannot be used with different pointers", errno: .EINVAL)
        }
    }

    /// Types whose accesses the kernel rewrites (`reg_type_mismatch_ok` is false for them).
    private static let rewritten: Set<String> = ["ctx", "sock", "sock_common", "tcp_sock"]
}
