import BPFCore

/// Refuses 32-bit ALU operations on pointers, as the kernel does ("R%d 32-bit pointer arithmetic
/// prohibited", EACCES): only `mov`, `neg` and `sub` (which give a scalar) may take a pointer in
/// 32 bits. Pointers are those `PointerStates` proves, so a program the kernel accepts is never
/// refused here.
enum PointerArithmeticCheck {
    static func check(_ op: Operation, at index: Int, _ state: PointerStates.State) throws(VMError) {
        guard case let .alu(kind, is64, dst, operand) = op, !is64 else { return }
        switch kind {
        case .mov, .movsx, .neg, .sub: return
        default: break
        }
        var pointer = state.isPointer(dst)
        if case .register(let source) = operand { pointer = pointer || state.isPointer(source) }
        guard pointer else { return }
        throw VMError(instruction: index, "R\(dst) 32-bit pointer arithmetic prohibited", errno: .EACCES)
    }
}
