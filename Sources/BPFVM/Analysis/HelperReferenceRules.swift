import BPFCore

/// What the kernel's `check_helper_call` requires of references around a helper call: a tail
/// call never returns, so nothing may be held across it, and only a reference may be released.
enum HelperReferenceRules {
    static let tailCall: Int32 = 12
    static let socketRelease: Int32 = 86

    static func check(_ id: Int32, at index: Int, _ state: PathState) throws(VMError) {
        switch id {
        case tailCall:
            if let held = state.references.first {
                throw VMError(instruction: index, "\(unreleased(held)); tail_call would lead to reference leak", errno: .EINVAL)
            }
        case socketRelease:
            // A socket the program did not look up (the skb's, a listener's) holds no reference.
            let socket = state.registers[1]
            if case .socket(_, nullable: false) = socket.kind, socket.reference == 0 {
                throw VMError(instruction: index, "R1 must be referenced when passed to release function", errno: .EINVAL)
            }
        default:
            return
        }
    }

    /// Only one argument of a call may hold a reference (a kptr_xchg destination aside), so the
    /// helper knows which one it may release; `held` is the one an earlier argument holds.
    static func checkOneReference(_ argument: HelperArgument, _ value: AbstractValue, register: Int, held: inout Int,
                                  at index: Int) throws(VMError) {
        guard argument.kind != .anything, argument.kind != .kptrDestination, value.reference != 0 else { return }
        if held != 0 {
            throw VMError(instruction: index, "more than one arg with ref_obj_id R\(register) \(value.reference) \(held)",
                          errno: .EACCES)
        }
        held = value.reference
    }

    /// The kernel's line naming a reference still held, by its allocating instruction.
    static func unreleased(_ allocation: Int) -> String {
        "Unreleased reference id=\(allocation + 1) alloc_insn=\(allocation)"
    }
}
