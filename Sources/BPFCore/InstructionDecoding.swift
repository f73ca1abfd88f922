extension Instruction {
    /// Decodes this instruction; `next` is the following slot, needed only by `lddw`.
    ///
    /// Fields an opcode does not use must be zero, as the kernel requires, so that
    /// later ISA extensions cannot be silently misread as today's instructions.
    public func operation(next: Instruction?) -> Result<Operation, DecodeError> {
        do throws(DecodeError) {
            return .success(try decodeOperation(next: next))
        } catch {
            return .failure(error)
        }
    }

    public func decodeOperation(next: Instruction?) throws(DecodeError) -> Operation {
        switch instructionClass {
        case .alu, .alu64: return try decodeALU()
        case .jmp, .jmp32: return try decodeJump()
        case .ldx: return try decodeLoad()
        case .st, .stx: return try decodeStore()
        case .ld: return try decodeLD(next: next)
        }
    }

    private func register(_ r: UInt8) throws(DecodeError) -> UInt8 {
        guard r <= 10 else { throw DecodeError("R\(r) is invalid") }
        return r
    }

    private func unknown() -> DecodeError {
        DecodeError("unknown opcode " + String(opcode, radix: 16).leftPadded(2))
    }

    private func decodeALU() throws(DecodeError) -> Operation {
        let is64 = instructionClass == .alu64
        let byRegister = opcode & 0x08 != 0
        guard let op = ALUOpcode(rawValue: opcode & 0xf0) else { throw unknown() }
        let d = try register(dst)
        switch op {
        case .end:
            guard src == 0, offset == 0 else { throw DecodeError("BPF_END uses reserved fields") }
            guard imm == 16 || imm == 32 || imm == 64 else { throw DecodeError("BPF_END uses reserved fields") }
            if is64 && byRegister { throw unknown() }
            let kind: ByteOrderKind = is64 ? .swap : (byRegister ? .toBigEndian : .toLittleEndian)
            return .byteOrder(kind, bits: Int(imm), dst: d)
        case .neg:
            guard !byRegister, src == 0, offset == 0, imm == 0 else { throw DecodeError("BPF_NEG uses reserved fields") }
            return .alu(.neg, is64: is64, dst: d, .immediate(0))
        default:
            break
        }
        let operand: Operand
        if byRegister {
            guard imm == 0 else { throw DecodeError("BPF_ALU uses reserved fields") }
            operand = .register(try register(src))
        } else {
            guard src == 0 else { throw DecodeError("BPF_ALU uses reserved fields") }
            operand = .immediate(imm)
        }
        let kind: ALUKind
        switch (op, offset) {
        case (.add, 0): kind = .add
        case (.sub, 0): kind = .sub
        case (.mul, 0): kind = .mul
        case (.div, 0): kind = .div
        case (.div, 1): kind = .sdiv
        case (.mod, 0): kind = .mod
        case (.mod, 1): kind = .smod
        case (.or, 0): kind = .or
        case (.and, 0): kind = .and
        case (.xor, 0): kind = .xor
        case (.lsh, 0): kind = .lsh
        case (.rsh, 0): kind = .rsh
        case (.arsh, 0): kind = .arsh
        case (.mov, 0): kind = .mov
        case (.mov, 8), (.mov, 16), (.mov, 32):
            guard byRegister, is64 || offset != 32 else { throw DecodeError("BPF_MOV uses reserved fields") }
            kind = .movsx(bits: Int(offset))
        default:
            throw DecodeError("BPF_ALU uses reserved fields")
        }
        return .alu(kind, is64: is64, dst: d, operand)
    }

    private func decodeJump() throws(DecodeError) -> Operation {
        let is64 = instructionClass == .jmp
        let byRegister = opcode & 0x08 != 0
        guard let op = JumpOpcode(rawValue: opcode & 0xf0) else { throw unknown() }
        switch op {
        case .ja:
            guard !byRegister, src == 0, dst == 0 else { throw DecodeError("BPF_JA uses reserved fields") }
            if is64 {
                guard imm == 0 else { throw DecodeError("BPF_JA uses reserved fields") }
                return .goto(offset: Int32(offset), long: false)
            }
            guard offset == 0 else { throw DecodeError("BPF_JA uses reserved fields") }
            return .goto(offset: imm, long: true)
        case .call:
            guard is64 else { throw unknown() }
            if byRegister {
                guard src == 0, offset == 0, imm == 0 else { throw DecodeError("BPF_CALL uses reserved fields") }
                return .call(.register(try register(dst)))
            }
            guard offset == 0, dst == 0 else { throw DecodeError("BPF_CALL uses reserved fields") }
            switch CallSource(rawValue: src) {
            case .helper: return .call(.helper(imm))
            case .local: return .call(.local(imm))
            case .kfunc: return .call(.kfunc(imm))
            case nil: throw DecodeError("BPF_CALL uses reserved fields")
            }
        case .jcond:
            // may_goto is the only conditional pseudo-jump (src 0 = BPF_MAY_GOTO). An offset of 0
            // is allowed: both ways lead to the next instruction (the kernel drops it as a nop).
            guard is64, !byRegister else { throw unknown() }
            guard src == 0, dst == 0, imm == 0 else { throw DecodeError("invalid may_goto imm \(imm)") }
            return .mayGoto(offset: offset)
        case .exit:
            guard is64, !byRegister else { throw unknown() }
            guard src == 0, dst == 0, offset == 0, imm == 0 else { throw DecodeError("BPF_EXIT uses reserved fields") }
            return .exit
        default:
            let condition: JumpCondition = switch op {
            case .jeq: .eq
            case .jne: .ne
            case .jgt: .gt
            case .jge: .ge
            case .jlt: .lt
            case .jle: .le
            case .jset: .set
            case .jsgt: .sgt
            case .jsge: .sge
            case .jslt: .slt
            default: .sle
            }
            let d = try register(dst)
            let operand: Operand
            if byRegister {
                guard imm == 0 else { throw DecodeError("BPF_JMP/JMP32 uses reserved fields") }
                operand = .register(try register(src))
            } else {
                guard src == 0 else { throw DecodeError("BPF_JMP/JMP32 uses reserved fields") }
                operand = .immediate(imm)
            }
            return .jump(condition, is64: is64, dst: d, operand, offset: offset)
        }
    }

    private var size: AccessSize { AccessSize(rawValue: opcode & 0x18)! }

    private func decodeLoad() throws(DecodeError) -> Operation {
        guard let mode = AccessMode(rawValue: opcode & 0xe0), mode == .mem || mode == .memsx else { throw unknown() }
        if mode == .memsx && size == .double { throw unknown() }
        guard imm == 0 else { throw DecodeError("BPF_LDX uses reserved fields") }
        return .load(size, signed: mode == .memsx, dst: try register(dst), src: try register(src), offset: offset)
    }

    private func decodeStore() throws(DecodeError) -> Operation {
        guard let mode = AccessMode(rawValue: opcode & 0xe0) else { throw unknown() }
        let d = try register(dst)
        if instructionClass == .st {
            guard mode == .mem else { throw unknown() }
            guard src == 0 else { throw DecodeError("BPF_ST uses reserved fields") }
            return .store(size, dst: d, value: .immediate(imm), offset: offset)
        }
        switch mode {
        case .mem:
            guard imm == 0 else { throw DecodeError("BPF_STX uses reserved fields") }
            return .store(size, dst: d, value: .register(try register(src)), offset: offset)
        case .atomic:
            guard let op = AtomicOpcode(rawValue: imm) else {
                throw DecodeError("BPF_ATOMIC uses invalid atomic opcode " + String(UInt32(bitPattern: imm), radix: 16).leftPadded(2))
            }
            let ordered = op == .loadAcquire || op == .storeRelease
            guard ordered || size == .word || size == .double else { throw DecodeError("invalid atomic operand size") }
            return .atomic(op, size, dst: d, src: try register(src), offset: offset)
        default:
            throw unknown()
        }
    }

    private func decodeLD(next: Instruction?) throws(DecodeError) -> Operation {
        guard let mode = AccessMode(rawValue: opcode & 0xe0) else { throw unknown() }
        switch mode {
        case .imm:
            guard size == .double else { throw unknown() }
            guard let next else { throw DecodeError("invalid bpf_ld_imm64 insn") }
            guard next.opcode == 0, next.dst == 0, next.src == 0, next.offset == 0, offset == 0 else {
                throw DecodeError("invalid bpf_ld_imm64 insn")
            }
            guard let source = PseudoSource(rawValue: src) else { throw DecodeError("unrecognized bpf_ld_imm64 insn") }
            let value = UInt64(UInt32(bitPattern: imm)) | UInt64(UInt32(bitPattern: next.imm)) << 32
            return .loadImm64(dst: try register(dst), source: source, imm: value)
        case .abs, .ind:
            guard size != .double, offset == 0, dst == 0, mode == .ind || src == 0 else {
                throw DecodeError("BPF_LD_[ABS|IND] uses reserved fields")
            }
            return .packetLoad(size, index: mode == .ind ? try register(src) : nil, imm: imm)
        default:
            throw unknown()
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
