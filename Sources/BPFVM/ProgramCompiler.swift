import BPFCore

/// Translates verified operations into `ExecOp`s, once per load.
enum ProgramCompiler {
    static func compile(_ program: VerifiedProgram, options: VerifierOptions) -> [ExecOp] {
        var ops: [ExecOp] = []
        ops.reserveCapacity(program.count)
        let kept = keptReads(program, options: options)
        for (i, op) in program.operations.enumerated() {
            guard let op else {
                ops.append(ExecOp(.unreachable))
                continue
            }
            ops.append(compile(op, at: i, program: program, options: options, keptReads: kept))
        }
        return ops
    }

    /// The `ContextDirectWrites.keptFields` no immediate store of the program touches: only
    /// register stores (converted at the store) can reach them, so the block holds what the
    /// kernel keeps and their loads may read it directly.
    private static func keptReads(_ program: VerifiedProgram, options: VerifierOptions) -> [Range<Int>] {
        guard let fields = options.contextDirectWrites?.keptFields, !fields.isEmpty else { return [] }
        var immediateStores: [Range<Int>] = []
        for case let .store(size, _, .immediate, offset)? in program.operations {
            immediateStores.append(Int(offset) ..< Int(offset) + size.byteCount)
        }
        return fields.filter { field in !immediateStores.contains { $0.overlaps(field) } }
    }

    private static func compile(_ op: Operation, at i: Int, program: VerifiedProgram, options: VerifierOptions,
                                keptReads: [Range<Int>]) -> ExecOp {
        func target(_ delta: Int32) -> Int32 { Int32(i) + 1 + delta }
        switch op {
        case let .alu(kind, is64, dst, operand):
            return alu(kind, is64: is64, dst: dst, operand)
        case let .byteOrder(kind, bits, dst):
            let codes: [ExecCode] = switch kind {
            case .toLittleEndian: [.le16, .le32, .le64]
            case .toBigEndian: [.be16, .be32, .be64]
            case .swap: [.swap16, .swap32, .swap64]
            }
            return ExecOp(codes[bits == 16 ? 0 : bits == 32 ? 1 : 2], dst: dst)
        case let .loadImm64(dst, _, _):
            return ExecOp(.loadImm64, dst: dst, imm: Int64(bitPattern: program.immediates[i] ?? 0))
        case let .load(size, signed, dst, src, offset):
            // A probe load first: a BTF pointer's word at a context packet pointer's offset (the
            // kernel skb's `priority` sits where `__sk_buff.data_meta` does) is the struct's
            // member, read as the kernel reads it (0 where nothing is readable), not a fault.
            if program.probeLoads.contains(i) {
                let aux = UInt8(size.byteCount) | (signed && size != .double ? ExecOp.signedLoad : 0)
                return ExecOp(.ldxProbe, dst: dst, src: src, aux: aux, offset: Int32(offset))
            }
            if size == .word, !signed, let pointer = options.contextPacketPointers[offset] {
                return ExecOp(.ldxCtxPointer, dst: dst, src: src, aux: pointer.rawValue, offset: Int32(offset))
            }
            let field = Int(offset) ..< Int(offset) + size.byteCount
            let kept = keptReads.contains { $0.clamped(to: field) == field }
                && options.contextAccess?(Int(offset), size.byteCount, false) == true
            if offset >= 0, kept || options.contextDirectReads?(Int(offset), size.byteCount) == true {
                let aux = UInt8(size.byteCount) | (signed && size != .double ? ExecOp.signedLoad : 0)
                return ExecOp(.ldxCtxField, dst: dst, src: src, aux: aux, offset: Int32(offset))
            }
            let code: ExecCode = switch (size, signed) {
            case (.byte, false): .ldxB
            case (.half, false): .ldxH
            case (.word, false): .ldxW
            case (.double, _): .ldxDW
            case (.byte, true): .ldxSB
            case (.half, true): .ldxSH
            case (.word, true): .ldxSW
            }
            return ExecOp(code, dst: dst, src: src, offset: Int32(offset))
        case let .store(size, dst, .register(src), offset):
            if offset >= 0, let direct = options.contextDirectWrites, let rule = direct.rule(Int(offset), size.byteCount),
               direct.flagOffset >= 0, direct.flagOffset < 1 << 16 {
                let limit: UInt32? = if case let .ignoredFrom(limit) = rule { limit } else { nil }
                let aux = UInt8(size.byteCount) | (rule == .lowHalf ? ExecOp.keepsLowHalf : 0)
                return ExecOp(.stxCtxField, dst: dst, src: src, aux: aux, offset: Int32(offset),
                              imm: ExecOp.contextStore(flag: direct.flagOffset, limit: limit))
            }
            let code: ExecCode = switch size {
            case .byte: .stxB
            case .half: .stxH
            case .word: .stxW
            case .double: .stxDW
            }
            return ExecOp(code, dst: dst, src: src, offset: Int32(offset))
        case let .store(size, dst, .immediate(value), offset):
            let code: ExecCode = switch size {
            case .byte: .stB
            case .half: .stH
            case .word: .stW
            case .double: .stDW
            }
            return ExecOp(code, dst: dst, offset: Int32(offset), imm: Int64(value))
        case let .atomic(kind, size, dst, src, offset):
            let bytes = UInt8(size.byteCount)
            switch kind {
            case .loadAcquire: return ExecOp(.loadAcquire, dst: dst, src: src, aux: bytes, offset: Int32(offset))
            case .storeRelease: return ExecOp(.storeRelease, dst: dst, src: src, aux: bytes, offset: Int32(offset))
            default:
                let code: AtomicCode = switch kind {
                case .add: .add
                case .or: .or
                case .and: .and
                case .xor: .xor
                case .fetchAdd: .fetchAdd
                case .fetchOr: .fetchOr
                case .fetchAnd: .fetchAnd
                case .fetchXor: .fetchXor
                case .xchg: .xchg
                default: .cmpxchg
                }
                return ExecOp(size == .double ? .atomic64 : .atomic32, dst: dst, src: src, aux: code.rawValue,
                              offset: Int32(offset))
            }
        case let .packetLoad(size, index, imm):
            return ExecOp(index == nil ? .ldAbs : .ldInd, src: index ?? 0, aux: UInt8(size.byteCount), imm: Int64(imm))
        case let .jump(condition, is64, dst, operand, offset):
            return jump(condition, is64: is64, dst: dst, operand, target: target(Int32(offset)))
        case let .goto(offset, _):
            return ExecOp(.ja, offset: target(offset))
        case let .mayGoto(offset):
            return ExecOp(.mayGoto, offset: target(Int32(offset)))
        case .call(.helper(let id)):
            let tail = id == VMLimits.tailCallHelper && options.allowTailCalls
            return ExecOp(tail ? .tailCall : .callHelper, imm: Int64(id))
        case .call(.local(let delta)):
            return ExecOp(.callLocal, offset: target(delta))
        case .call(.register(let r)):
            return ExecOp(.callRegister, dst: r)
        case .call(.kfunc):
            return ExecOp(.unreachable)  // refused by the verifier
        case .exit:
            return ExecOp(.exit)
        }
    }

    private static func alu(_ kind: ALUKind, is64: Bool, dst: UInt8, _ operand: Operand) -> ExecOp {
        // Codes come in (I, R) pairs, 64-bit block first; the offset inside a block is shared.
        let pair: Int
        switch kind {
        case .neg: return ExecOp(is64 ? .neg64 : .neg32, dst: dst)
        case .movsx(let bits):
            let code: ExecCode = switch (is64, bits) {
            case (true, 8): .movsx8to64
            case (true, 16): .movsx16to64
            case (true, _): .movsx32to64
            case (false, 8): .movsx8to32
            case (false, _): .movsx16to32
            }
            if case .register(let src) = operand { return ExecOp(code, dst: dst, src: src) }
            return ExecOp(.unreachable)
        case .add: pair = 0
        case .sub: pair = 1
        case .mul: pair = 2
        case .div: pair = 3
        case .sdiv: pair = 4
        case .mod: pair = 5
        case .smod: pair = 6
        case .or: pair = 7
        case .and: pair = 8
        case .xor: pair = 9
        case .lsh: pair = 10
        case .rsh: pair = 11
        case .arsh: pair = 12
        case .mov: pair = 13
        }
        let base = is64 ? ExecCode.add64I.rawValue : ExecCode.add32I.rawValue
        switch operand {
        case .immediate(let v):
            return ExecOp(ExecCode(rawValue: base + UInt8(pair * 2))!, dst: dst, imm: Int64(v))
        case .register(let src):
            return ExecOp(ExecCode(rawValue: base + UInt8(pair * 2 + 1))!, dst: dst, src: src)
        }
    }

    private static func jump(_ condition: JumpCondition, is64: Bool, dst: UInt8, _ operand: Operand, target: Int32) -> ExecOp {
        let pair: UInt8 = switch condition {
        case .eq: 0
        case .ne: 1
        case .gt: 2
        case .ge: 3
        case .lt: 4
        case .le: 5
        case .set: 6
        case .sgt: 7
        case .sge: 8
        case .slt: 9
        case .sle: 10
        }
        let base = is64 ? ExecCode.jeq64I.rawValue : ExecCode.jeq32I.rawValue
        switch operand {
        case .immediate(let v):
            return ExecOp(ExecCode(rawValue: base + pair * 2)!, dst: dst, offset: target, imm: Int64(v))
        case .register(let src):
            return ExecOp(ExecCode(rawValue: base + pair * 2 + 1)!, dst: dst, src: src, offset: target)
        }
    }
}
