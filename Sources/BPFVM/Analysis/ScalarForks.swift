import BPFCore

/// Linux 6.18 splits a number that is -1 or 0 before `&=` or `|=` with a constant
/// (maybe_fork_scalars, for the `x s>> 63` masks LLVM emits): the path goes on with -1, and a
/// way with 0 waits at the same instruction, which it runs again. So `(x s>> 63) & 255` is 255
/// on one way and 0 on the other, where the bounds alone give [0, 255]. The 64-bit bounds are
/// looked at first, then the low 32 bits' (whose value alone is set then), whatever the
/// instruction's width.
enum ScalarForks {
    struct Split {
        let register: Int
        let minusOne: AbstractValue
        let zero: AbstractValue
    }

    static func split(_ op: Operation, _ state: PathState) -> Split? {
        guard case let .alu(kind, _, dst, operand) = op, kind == .and || kind == .or else { return nil }
        let d = state.registers[Int(dst)]
        guard d.isScalar else { return nil }
        switch operand {
        case .immediate: break
        case .register(let r):
            let source = state.registers[Int(r)]
            guard source.isScalar, source.range.bits.isConstant else { return nil }
        }
        let r = d.range
        if r.smin == -1, r.smax == 0 {
            return Split(register: Int(dst), minusOne: .constant(.max), zero: .constant(0))
        }
        if r.s32min == -1, r.s32max == 0 {
            return Split(register: Int(dst), minusOne: .scalar(withLow32(r, .max)), zero: .scalar(withLow32(r, 0)))
        }
        return nil
    }

    /// The number with its low 32 bits known (the kernel's __mark_reg32_known).
    private static func withLow32(_ range: ScalarRange, _ low: UInt32) -> ScalarRange {
        var r = range
        r.bits = r.bits.withLow32(.constant(UInt64(low)))
        r.u32min = low
        r.u32max = low
        r.s32min = Int32(bitPattern: low)
        r.s32max = Int32(bitPattern: low)
        return r.synced()
    }
}
