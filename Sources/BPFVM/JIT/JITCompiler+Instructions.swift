/// One instruction at a time: the dispatch, arithmetic and jumps.
extension JITCompiler {
    mutating func emit(_ op: ExecOp, at i: Int) {
        switch op.code {
        case .add64I, .add64R, .sub64I, .sub64R, .mul64I, .mul64R, .or64I, .or64R, .and64I, .and64R,
             .xor64I, .xor64R, .lsh64I, .lsh64R, .rsh64I, .rsh64R, .arsh64I, .arsh64R, .mov64I, .mov64R:
            arithmetic(op, wide: true)
        case .add32I, .add32R, .sub32I, .sub32R, .mul32I, .mul32R, .or32I, .or32R, .and32I, .and32R,
             .xor32I, .xor32R, .lsh32I, .lsh32R, .rsh32I, .rsh32R, .arsh32I, .arsh32R, .mov32I, .mov32R:
            arithmetic(op, wide: false)
        case .div64I, .div64R, .sdiv64I, .sdiv64R, .mod64I, .mod64R, .smod64I, .smod64R:
            division(op, wide: true)
        case .div32I, .div32R, .sdiv32I, .sdiv32R, .mod32I, .mod32R, .smod32I, .smod32R:
            division(op, wide: false)
        case .neg64, .neg32:
            loadRegister(.rax, op.dst)
            a.unary(.neg, .rax, wide: op.code == .neg64)
            storeRegister(op.dst, .rax)
        case .movsx8to64, .movsx16to64, .movsx32to64, .movsx8to32, .movsx16to32:
            let bits = [ExecCode.movsx8to64, .movsx8to32].contains(op.code) ? 8
                : [ExecCode.movsx16to64, .movsx16to32].contains(op.code) ? 16 : 32
            loadRegister(.rcx, op.src)
            a.moveSignExtended(.rax, .rcx, bits: bits, wide: op.code != .movsx8to32 && op.code != .movsx16to32)
            storeRegister(op.dst, .rax)
        case .le16, .le32, .le64, .be16, .be32, .be64, .swap16, .swap32, .swap64:
            byteOrder(op)
        case .loadImm64:
            a.move(.rax, immediate: UInt64(bitPattern: op.imm))
            storeRegister(op.dst, .rax)

        case .ldxB, .ldxH, .ldxW, .ldxDW, .ldxSB, .ldxSH, .ldxSW, .ldxCtxPointer, .ldxCtxField,
             .stxB, .stxH, .stxW, .stxDW, .stxCtxField, .stB, .stH, .stW, .stDW:
            memoryAccess(op, at: i)
        case .ldxProbe:
            probeLoad(op)
        case .atomic32, .atomic64, .loadAcquire, .storeRelease:
            atomic(op, at: i)
        case .ldAbs, .ldInd:
            packetLoad(op)

        case .ja:
            branch(at: i, to: op.offset)
        case .mayGoto:
            mayGoto(at: i, to: op.offset)
        case .jeq64I, .jeq64R, .jne64I, .jne64R, .jgt64I, .jgt64R, .jge64I, .jge64R, .jlt64I, .jlt64R,
             .jle64I, .jle64R, .jset64I, .jset64R, .jsgt64I, .jsgt64R, .jsge64I, .jsge64R,
             .jslt64I, .jslt64R, .jsle64I, .jsle64R:
            conditionalJump(op, at: i, wide: true, pair: Int(op.code.rawValue - ExecCode.jeq64I.rawValue) / 2)
        case .jeq32I, .jeq32R, .jne32I, .jne32R, .jgt32I, .jgt32R, .jge32I, .jge32R, .jlt32I, .jlt32R,
             .jle32I, .jle32R, .jset32I, .jset32R, .jsgt32I, .jsgt32R, .jsge32I, .jsge32R,
             .jslt32I, .jslt32R, .jsle32I, .jsle32R:
            conditionalJump(op, at: i, wide: false, pair: Int(op.code.rawValue - ExecCode.jeq32I.rawValue) / 2)

        case .callHelper, .callRegister:
            if inlinesLoop(op, at: i) { inlinedLoop(op, at: i) } else { helperCall(op, at: i) }
        case .tailCall:
            tailCall(at: i)
        case .callLocal:
            localCall(to: op.offset, at: i)
        case .exit:
            a.jump(exitSequence)
        case .unreachable:
            // The second slot of `lddw` is passed through (the verifier lets nothing jump
            // there); any other is an instruction the interpreter refuses to run.
            if i == 0 || ops[i - 1].code != .loadImm64 { a.jump(faultStub(instruction: i, .instructionLimit)) }
        }
    }

    /// add, sub, or, and, xor, mov and register mul straight on the host registers of r0-r9 (one
    /// instruction instead of four through rax and rcx); false when the operation needs the
    /// general form. 32-bit forms clear the upper half, as the ISA wants.
    private mutating func directArithmetic(_ op: ExecOp, pair: Int, immediate: Bool, wide: Bool) -> Bool {
        guard let dst = host(op.dst) else { return false }
        let source = immediate ? nil : host(op.src)
        if !immediate && source == nil { return false }
        let kinds: [Int: X86Assembler.ALU] = [0: .add, 1: .sub, 7: .or, 8: .and, 9: .xor]
        if let kind = kinds[pair] {
            if let source {
                a.alu(kind, dst, source, wide: wide)
            } else {
                a.alu(kind, dst, immediate: Int32(truncatingIfNeeded: op.imm), wide: wide)
            }
            return true
        }
        switch (pair, source) {
        case (13, let source?): a.move(dst, source, wide: wide)
        case (13, nil): a.move(dst, immediate: wide ? UInt64(bitPattern: op.imm) : UInt64(UInt32(truncatingIfNeeded: op.imm)))
        case (2, let source?): a.multiply(dst, source, wide: wide)
        default: return false
        }
        return true
    }

    /// Whether the code's second operand is an immediate: codes come in (I, R) pairs from an
    /// even raw value in every block the compiler builds.
    private func isImmediate(_ op: ExecOp, blockStart: ExecCode) -> Bool {
        (op.code.rawValue - blockStart.rawValue) % 2 == 0
    }

    /// rcx = the operand: the immediate sign-extended to 64 bits, or the source register.
    private mutating func loadOperand(_ op: ExecOp, immediate: Bool) {
        if immediate {
            a.move(.rcx, immediate: UInt64(bitPattern: op.imm))
        } else {
            loadRegister(.rcx, op.src)
        }
    }

    private mutating func arithmetic(_ op: ExecOp, wide: Bool) {
        let block: ExecCode = wide ? .add64I : .add32I
        let pair = Int(op.code.rawValue - block.rawValue) / 2
        if directArithmetic(op, pair: pair, immediate: isImmediate(op, blockStart: block), wide: wide) { return }
        loadOperand(op, immediate: isImmediate(op, blockStart: block))
        loadRegister(.rax, op.dst)
        // The pair order of ExecCode: add sub mul div sdiv mod smod or and xor lsh rsh arsh mov.
        switch pair {
        case 0: a.alu(.add, .rax, .rcx, wide: wide)
        case 1: a.alu(.sub, .rax, .rcx, wide: wide)
        case 2: a.multiply(.rax, .rcx, wide: wide)
        case 7: a.alu(.or, .rax, .rcx, wide: wide)
        case 8: a.alu(.and, .rax, .rcx, wide: wide)
        case 9: a.alu(.xor, .rax, .rcx, wide: wide)
        case 10: a.shift(.left, .rax, wide: wide)
        case 11: a.shift(.right, .rax, wide: wide)
        case 12: a.shift(.arithmeticRight, .rax, wide: wide)
        case 13: a.move(.rax, .rcx, wide: wide)
        default: declined = true
        }
        storeRegister(op.dst, .rax)
    }

    /// The ISA's division: by zero gives 0 (modulo leaves the dividend), INT_MIN / -1 wraps.
    private mutating func division(_ op: ExecOp, wide: Bool) {
        let block: ExecCode = wide ? .add64I : .add32I
        let pair = Int(op.code.rawValue - block.rawValue) / 2
        let signed = pair == 4 || pair == 6, modulo = pair == 5 || pair == 6
        loadOperand(op, immediate: isImmediate(op, blockStart: block))
        loadRegister(.rax, op.dst)
        let byZero = a.newLabel(), done = a.newLabel()
        a.push(Self.budget)  // div and idiv write rdx
        a.test(.rcx, .rcx, wide: wide)
        a.jump(.equal, byZero)
        if signed {
            let byMinusOne = a.newLabel()
            a.alu(.cmp, .rcx, immediate: -1, wide: wide)
            a.jump(.equal, byMinusOne)
            a.signExtendAccumulator(wide: wide)
            a.unary(.idiv, .rcx, wide: wide)
            if modulo { a.move(.rax, .rdx) }
            a.jump(done)
            a.bind(byMinusOne)
            if modulo { a.move(.rax, immediate: 0) } else { a.unary(.neg, .rax, wide: wide) }
            a.jump(done)
        } else {
            a.alu(.xor, .rdx, .rdx, wide: false)
            a.unary(.div, .rcx, wide: wide)
            if modulo { a.move(.rax, .rdx) }
            a.jump(done)
        }
        a.bind(byZero)
        if !modulo { a.move(.rax, immediate: 0) }
        a.bind(done)
        a.pop(Self.budget)
        if !wide { a.move(.rax, .rax, wide: false) }
        storeRegister(op.dst, .rax)
    }

    private mutating func byteOrder(_ op: ExecOp) {
        loadRegister(.rax, op.dst)
        switch op.code {
        case .le16: a.zeroExtend16(.rax, .rax)
        case .le32: a.move(.rax, .rax, wide: false)
        case .be16, .swap16:
            a.swapLow16(.rax)
            a.zeroExtend16(.rax, .rax)
        case .be32, .swap32: a.byteSwap(.rax, wide: false)
        case .be64, .swap64: a.byteSwap(.rax, wide: true)
        default: break  // le64: nothing to do on a little-endian host
        }
        storeRegister(op.dst, .rax)
    }

    /// Where functions start in a program with a may_goto (the entry and every bpf-to-bpf call's
    /// target; the init adds the callbacks of inlined bpf_loops), else none.
    static func mayGotoFrameStarts(_ ops: UnsafeBufferPointer<ExecOp>) -> Set<Int> {
        guard ops.contains(where: { $0.code == .mayGoto }) else { return [] }
        var starts: Set<Int> = [0]
        for op in ops where op.code == .callLocal { starts.insert(Int(op.offset)) }
        return starts
    }

    /// Where a bpf-to-bpf call to `target` enters: its prologue when it has one (a label that
    /// may not be bound yet: the prologue is emitted with the function).
    mutating func functionEntry(_ target: Int32) -> X86Assembler.Label {
        guard mayGotoFrameStarts.contains(Int(target)) else { return label(of: target) }
        if let entry = functionEntries[Int(target)] { return entry }
        let entry = a.newLabel()
        functionEntries[Int(target)] = entry
        return entry
    }

    /// rax = the address of the current frame's may_goto count (`MayGotoClock.slot`): the
    /// frames block ends where the state block starts.
    private mutating func mayGotoSlot() {
        a.load(.rax, JITState.slot(.depth))
        // Frames are 64 bytes (a power of two): depth << 6.
        a.move(.rcx, immediate: UInt64((Scratch.frameWords * 8).trailingZeroBitCount))
        a.shift(.left, .rax, wide: true)
        a.alu(.add, .rax, .rbx)
    }

    /// The frame's may_goto prologue (`MayGotoClock.enter`).
    mutating func enterMayGotoFrame() {
        mayGotoSlot()
        a.move(.rcx, immediate: VMLimits.timedMayGotoPasses)
        a.store(Self.mayGotoCount, .rcx)
        a.move(.rcx, immediate: 0)
        a.store(Self.mayGotoStamp, .rcx)
    }

    static let mayGotoCount = X86Memory(.rax, Int32(Scratch.mayGotoWord * 8 - Scratch.frameBytes))
    static let mayGotoStamp = X86Memory(.rax, Int32((Scratch.mayGotoWord + 1) * 8 - Scratch.frameBytes))

    /// `may_goto` (`MayGotoClock.jumps`): the budget register is the clock.
    private mutating func mayGoto(at i: Int, to target: Int32) {
        let taken = a.newLabel(), store = a.newLabel(), check = a.newLabel(), refill = a.newLabel()
        let done = a.newLabel()
        mayGotoSlot()
        a.load(.rcx, Self.mayGotoCount)
        a.test(.rcx, .rcx)
        a.jump(.equal, taken)
        a.alu(.sub, .rcx, immediate: 1)
        a.jump(.notEqual, store)
        // The count ran out: stamp the clock (one above it) the first time, else look at it.
        a.load(.rsi, Self.mayGotoStamp)
        a.test(.rsi, .rsi)
        a.jump(.notEqual, check)
        a.lea(.rsi, X86Memory(Self.budget, 1))
        a.store(Self.mayGotoStamp, .rsi)
        a.jump(refill)
        a.bind(check)
        a.alu(.sub, .rsi, immediate: 1)
        a.alu(.sub, .rsi, Self.budget)
        a.move(.rcx, immediate: UInt64(mayGotoSlice))
        a.alu(.cmp, .rsi, .rcx)
        a.move(.rcx, immediate: 0)
        a.jump(.greaterOrEqual, store)
        a.bind(refill)
        a.move(.rcx, immediate: VMLimits.timedMayGotoPasses)
        a.bind(store)
        a.store(Self.mayGotoCount, .rcx)
        a.jump(done)
        a.bind(taken)
        branch(at: i, to: target)
        a.bind(done)
    }

    /// Jumps to `target`; a backward jump first charges the loop body to the budget, as the
    /// interpreter does, and faults when it is used up.
    private mutating func branch(at i: Int, to target: Int32) {
        let destination = label(of: target)
        if Int(target) <= i {
            a.alu(.sub, Self.budget, immediate: Int32(i + 1 - Int(target)))
            a.jump(.less, faultStub(instruction: i, .instructionLimit))
        }
        a.jump(destination)
    }

    private mutating func conditionalJump(_ op: ExecOp, at i: Int, wide: Bool, pair: Int) {
        let immediate = (op.code.rawValue - (wide ? ExecCode.jeq64I : .jeq32I).rawValue) % 2 == 0
        // Compared where they live when they are in host registers; else through rax and rcx.
        // `right` nil: compare with the immediate itself.
        var left = X86Reg.rax, right: X86Reg? = .rcx
        if let dst = host(op.dst) { left = dst } else { loadRegister(.rax, op.dst) }
        if immediate && pair != 6 {
            right = nil
        } else if immediate {
            a.move(.rcx, immediate: UInt64(bitPattern: op.imm))
        } else if let src = host(op.src) {
            right = src
        } else {
            loadRegister(.rcx, op.src)
        }
        // The pair order of ExecCode: eq ne gt ge lt le set sgt sge slt sle.
        let conditions: [X86Condition] = [.equal, .notEqual, .above, .aboveOrEqual, .below, .belowOrEqual,
                                          .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual]
        guard pair >= 0, pair < conditions.count else {
            declined = true
            return
        }
        if let right {
            if pair == 6 { a.test(left, right, wide: wide) } else { a.alu(.cmp, left, right, wide: wide) }
        } else {
            a.alu(.cmp, left, immediate: Int32(truncatingIfNeeded: op.imm), wide: wide)
        }
        let condition = conditions[pair]
        if Int(op.offset) > i {
            a.jump(condition, label(of: op.offset))
        } else {
            let skip = a.newLabel()
            a.jump(condition.inverted, skip)
            branch(at: i, to: op.offset)
            a.bind(skip)
        }
    }
}
