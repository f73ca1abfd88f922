import BPFCore

/// Which registers, before each instruction, hold a value that may still decide a comparison,
/// an address or a call's argument before it is overwritten: narrower than `ScalarRelevance`,
/// as a value only stored to memory or handed back decides none of these. Close to what the
/// kernel marks precise (mark_chain_precision) for a counter: a loop's widening keeps such a
/// register's known constant, which the kernel follows through every value, and widens the
/// counters it would widen (widen_imprecise_scalars).
enum DecisiveRegisters {
    static func compute(_ program: VerifiedProgram) -> [UInt16] {
        BackwardFlow.solve(program) { _, op, after in before(op, after: after) }
    }

    private static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }
    private static func bit(_ operand: Operand) -> UInt16 {
        if case .register(let r) = operand { return bit(r) }
        return 0
    }

    private static func before(_ op: Operation, after: UInt16) -> UInt16 {
        switch op {
        case let .alu(kind, _, dst, operand):
            guard after & bit(dst) != 0 else { return after }
            let before = after & ~bit(dst)
            switch kind {
            case .mov, .movsx: return before | bit(operand)
            default: return before | bit(dst) | bit(operand)
            }
        case .byteOrder, .goto, .mayGoto, .exit:
            return after
        case let .loadImm64(dst, _, _):
            return after & ~bit(dst)
        case let .load(_, _, dst, src, _):
            return (after & ~bit(dst)) | bit(src)
        case let .store(_, dst, _, _):
            return after | bit(dst)  // the address decides, the value stored does not
        case let .atomic(_, _, dst, src, _):
            let written = Verifier.writtenRegister(op).map(bit) ?? 0
            return (after & ~written) | bit(dst) | bit(src)
        case let .packetLoad(_, index, _):
            return (after & ~0b11_1111) | bit(6) | (index.map(bit) ?? 0)
        case let .jump(_, _, dst, operand, _):
            return after | bit(dst) | bit(operand)
        case .call(.register(let r)):
            return (after & ~0b11_1111) | 0b11_1110 | bit(r)
        case .call:
            return (after & ~0b11_1111) | 0b11_1110
        }
    }
}
