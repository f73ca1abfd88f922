import BPFCore

/// Refuses, at load, a context access the program type does not allow, as the kernel's
/// `is_valid_access` does ("invalid bpf_context access off=%d size=%d", EACCES), wherever the
/// base register is the context pointer itself on every path (`PointerStates`); atomics on the
/// context are refused too. Accesses through a register that is the context only on some
/// paths are left to the run-time check, so nothing the kernel loads is refused.
enum ContextAccessCheck {
    static func check(_ op: Operation, at index: Int, _ state: PointerStates.State,
                      rules: ContextAccessRule, packetFields: Set<Int16>) throws(VMError) {
        switch op {
        case let .load(size, _, _, src, offset) where state.isContext(src):
            // The packet pointer fields are 32-bit loads the VM rewrites; any other size is refused.
            if packetFields.contains(offset), size == .word { return }
            try require(rules(Int(offset), size.byteCount, false), offset, size, at: index, "R\(src)")
        case let .store(size, dst, _, offset) where state.isContext(dst):
            try require(rules(Int(offset), size.byteCount, true), offset, size, at: index, "R\(dst)")
        case let .atomic(_, _, dst, _, _) where state.isContext(dst):
            throw VMError(instruction: index, "BPF_ATOMIC stores into R\(dst) ctx is not allowed", errno: .EACCES)
        default:
            return
        }
    }

    private static func require(_ allowed: Bool, _ offset: Int16, _ size: AccessSize, at index: Int,
                                _ register: String) throws(VMError) {
        guard !allowed else { return }
        throw VMError(instruction: index, "invalid bpf_context access off=\(offset) size=\(size.byteCount) through \(register)",
                      errno: .EACCES)
    }
}

/// Whether a program type's context allows a load (or store) of `size` bytes at `offset`.
public typealias ContextAccessRule = @Sendable (_ offset: Int, _ size: Int, _ write: Bool) -> Bool
