import BPFCore

/// Which registers a later instruction may still read, before each instruction: pruning
/// compares only those, as the kernel's liveness marks do.
enum RegisterLiveness {
    /// `helperArguments`: the registers a helper call reads, by call, as its kernel prototype
    /// declares them (the kernel marks no other argument register read); a call not listed
    /// reads r1-r5.
    static func compute(_ program: VerifiedProgram, helperArguments: [Int: UInt16] = [:]) -> [UInt16] {
        BackwardFlow.solve(program) { index, op, after in
            var (uses, defines) = effect(op)
            if let arguments = helperArguments[index] { uses = uses & ~Self.arguments | arguments }
            return uses | (after & ~defines) | 1 << 10
        }
    }

    private static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }
    private static let arguments: UInt16 = 0b11_1110
    private static let callClobbers: UInt16 = 0b11_1111

    private static func effect(_ op: Operation) -> (uses: UInt16, defines: UInt16) {
        switch op {
        case let .alu(kind, _, dst, operand):
            let source: UInt16 = if case .register(let r) = operand { bit(r) } else { 0 }
            switch kind {
            case .mov, .movsx: return (source, bit(dst))
            default: return (bit(dst) | source, bit(dst))
            }
        case let .byteOrder(_, _, dst):
            return (bit(dst), bit(dst))
        case let .loadImm64(dst, _, _):
            return (0, bit(dst))
        case let .load(_, _, dst, src, _):
            return (bit(src), bit(dst))
        case let .store(_, dst, value, _):
            let source: UInt16 = if case .register(let r) = value { bit(r) } else { 0 }
            return (bit(dst) | source, 0)
        case let .atomic(kind, _, dst, src, _):
            var uses = bit(dst) | bit(src)
            if kind == .cmpxchg { uses |= 1 }
            return (uses, Verifier.writtenRegister(op).map(bit) ?? 0)
        case let .packetLoad(_, index, _):
            return (bit(6) | (index.map(bit) ?? 0), callClobbers)
        case let .jump(_, _, dst, operand, _):
            let source: UInt16 = if case .register(let r) = operand { bit(r) } else { 0 }
            return (bit(dst) | source, 0)
        case .call(.register(let r)):
            return (arguments | bit(r), callClobbers)
        case .call:
            return (arguments, callClobbers)
        case .exit:
            return (1, 0)
        case .goto, .mayGoto:
            return (0, 0)
        }
    }
}
