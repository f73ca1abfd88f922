import BPFCore

/// Random straight-line SCHED_CLS programs that the kernel verifier accepts.
///
/// r0 first takes `skb->mark` (0 in a test run, and 0 in the VM's zeroed context) so some
/// registers can be made opaque to the verifier: then it cannot decide their jumps at load time
/// and the compiled code really compares. Every register is set from interesting values, a
/// random run of ALU and jump steps follows, and all registers are folded into r0's low 32 bits.
struct ProgramGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let values64: [UInt64] = [
        0, 1, .max, 0x8000_0000, 0x7fff_ffff, 0xffff_ffff_8000_0000, 0xffff_ffff, 0x1_0000_0000,
        0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff, 31, 32, 63, 64, 65, 0xffff_ffff_ffff_ffc0,
    ]
    static let values32: [Int32] = [0, 1, -1, .min, .max, 31, 32, 63, 64, 65, -64, 0x7f, 0x80, 0xffff, 0x8000]
    static let jumps: [JumpOpcode] = [.jeq, .jne, .jgt, .jge, .jlt, .jle, .jsgt, .jsge, .jslt, .jsle, .jset]
    static let binary: [ALUOpcode] = [.add, .sub, .mul, .div, .mod, .or, .and, .xor, .lsh, .rsh, .arsh, .mov]

    mutating func program() -> [Instruction] {
        var code = [Asm.loadWord(0, 1, 8)]
        for reg: UInt8 in 1...9 { code += initialise(reg) }
        code += initialiseR0()
        for _ in 0..<Int.random(in: 8...48, using: &rng) { code += step() }
        for reg: UInt8 in 1...9 {
            code += [Asm.alu(.mul, wide: true, dst: 0, imm: 0x0100_0193), Asm.alu(.add, wide: true, dst: 0, src: reg)]
        }
        return code + Asm.foldR0 + [Asm.exit]
    }

    // MARK: Values

    mutating func value64() -> UInt64 {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: rng.next()
        case 1: UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: rng.next())))
        default: Self.values64.randomElement(using: &rng)!
        }
    }
    mutating func imm32() -> Int32 {
        Int.random(in: 0..<3, using: &rng) == 0
            ? Int32(truncatingIfNeeded: rng.next()) : Self.values32.randomElement(using: &rng)!
    }
    mutating func register() -> UInt8 { UInt8.random(in: 0...9, using: &rng) }
    mutating func coin() -> Bool { Bool.random(using: &rng) }

    // MARK: Prologue

    /// A constant, then in half the cases `|= r0` (the opaque zero) so the verifier forgets it.
    mutating func initialise(_ reg: UInt8) -> [Instruction] {
        var code: [Instruction]
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: code = [Asm.mov(reg, imm32())]
        case 1: code = [Asm.alu(.mov, wide: false, dst: reg, imm: imm32())]
        default: code = Asm.lddw(reg, value64())
        }
        if coin() { code.append(Asm.alu(.or, wide: true, dst: reg, src: 0)) }
        return code
    }

    mutating func initialiseR0() -> [Instruction] {
        coin() ? [Asm.alu(.add, wide: true, dst: 0, imm: imm32())] : Asm.lddw(0, value64())
    }

    // MARK: Steps

    mutating func step() -> [Instruction] {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<50: [binaryStep()]
        case 50..<60: [unaryStep()]
        case 60..<80: jumpStep()
        case 80..<88: registerShift()
        case 88..<92: unconditionalJump()
        default: Asm.lddw(register(), value64())
        }
    }

    /// One two-operand ALU operation, 64 or 32 bits, immediate or register.
    mutating func binaryStep() -> Instruction {
        let wide = coin(), dst = register()
        let op = Self.binary.randomElement(using: &rng)!
        let signed = (op == .div || op == .mod) && coin()
        let offset: Int16 = signed ? 1 : 0
        if coin() { return Asm.alu(op, wide: wide, dst: dst, src: register(), offset: offset) }
        switch op {
        case .div, .mod:
            // The kernel refuses a constant divisor of zero.
            var imm = imm32()
            while imm == 0 { imm = imm32() }
            return Asm.alu(op, wide: wide, dst: dst, imm: imm, offset: offset)
        case .lsh, .rsh, .arsh:
            // ... and a constant shift outside 0..<bits.
            let bits: Int32 = wide ? 64 : 32
            let amounts: [Int32] = [0, 1, 31, bits - 1, bits / 2, Int32.random(in: 0..<bits, using: &rng)]
            return Asm.alu(op, wide: wide, dst: dst, imm: amounts.randomElement(using: &rng)!)
        default:
            return Asm.alu(op, wide: wide, dst: dst, imm: imm32())
        }
    }

    /// neg, sign-extending moves and byte swaps.
    mutating func unaryStep() -> Instruction {
        let wide = coin(), dst = register()
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            return Asm.alu(.neg, wide: wide, dst: dst)
        case 1:
            let widths: [Int16] = wide ? [8, 16, 32] : [8, 16]
            return Asm.alu(.mov, wide: wide, dst: dst, src: register(), offset: widths.randomElement(using: &rng)!)
        default:
            return Asm.byteSwap(dst: dst, bits: [16, 32, 64].randomElement(using: &rng)!, wide: wide,
                                bigEndian: coin())
        }
    }

    /// A conditional jump over one or two instructions that change r0.
    mutating func jumpStep(skip: Int? = nil) -> [Instruction] {
        let op = Self.jumps.randomElement(using: &rng)!
        let wide = coin(), dst = register(), skip = skip ?? Int.random(in: 1...2, using: &rng)
        let jump = coin()
            ? Asm.jump(op, wide: wide, dst: dst, src: register(), offset: Int16(skip))
            : Asm.jump(op, wide: wide, dst: dst, imm: imm32(), offset: Int16(skip))
        return [jump] + (0..<skip).map { _ in changeR0() }
    }

    mutating func changeR0() -> Instruction {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: Asm.alu(.add, wide: true, dst: 0, imm: Int32.random(in: 1...0x7fff_ffff, using: &rng) | 1)
        case 1: Asm.alu(.xor, wide: coin(), dst: 0, src: UInt8.random(in: 1...9, using: &rng))
        default: Asm.alu(.mul, wide: coin(), dst: 0, imm: 0x2f | Int32.random(in: 0...0xffff, using: &rng) << 8)
        }
    }

    /// An if/else: the kernel refuses code no path reaches, so `ja`/`gotol` skips the else arm.
    mutating func unconditionalJump() -> [Instruction] {
        var diamond = jumpStep(skip: 2)
        diamond.insert(coin() ? Asm.ja(1) : Asm.gotol(1), at: 2)
        return diamond
    }

    /// A shift by a register: masked to the width, or a constant 32, 64, 65... which the
    /// kernel accepts in a register (the verifier only forgets the result).
    mutating func registerShift() -> [Instruction] {
        let wide = coin(), dst = register()
        var amount = UInt8.random(in: 1...9, using: &rng)
        if amount == dst { amount = amount % 9 + 1 }
        let op = [ALUOpcode.lsh, .rsh, .arsh].randomElement(using: &rng)!
        let setup = coin()
            ? [Asm.alu(.and, wide: true, dst: amount, imm: wide ? 63 : 31)]
            : [Asm.mov(amount, [31, 32, 33, 63, 64, 65, 127, -1].randomElement(using: &rng)!)]
        return setup + [Asm.alu(op, wide: wide, dst: dst, src: amount)]
    }
}
