/// The x86-64 host registers the JIT uses, by their encoding number.
enum X86Reg: UInt8 {
    case rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
}

/// Condition codes of `jcc`, by their encoding number.
enum X86Condition: UInt8 {
    case below = 0x2, aboveOrEqual = 0x3, equal = 0x4, notEqual = 0x5, belowOrEqual = 0x6, above = 0x7
    case sign = 0x8, less = 0xc, greaterOrEqual = 0xd, lessOrEqual = 0xe, greater = 0xf

    /// The opposite condition: the encodings come in pairs differing in the low bit.
    var inverted: X86Condition { X86Condition(rawValue: rawValue ^ 1) ?? self }
}

/// A memory operand `[base + displacement]`. Only bases that need no SIB byte are allowed
/// (everything but rsp and r12), and the displacement is always 32 bits, so every form has one
/// encoding.
struct X86Memory {
    let base: X86Reg
    let displacement: Int32

    init(_ base: X86Reg, _ displacement: Int32 = 0) {
        precondition(base.rawValue & 7 != 4, "rsp and r12 need a SIB byte")
        self.base = base
        self.displacement = displacement
    }
}

/// Emits x86-64 machine code: the few instruction forms the JIT needs, with labels patched
/// once the code is complete.
struct X86Assembler {
    private(set) var bytes: [UInt8] = []
    private var labelOffsets: [Int?] = []
    /// Where a 32-bit relative displacement to a label still has to be written.
    private var fixups: [(at: Int, label: Int)] = []

    struct Label { let id: Int }

    var offset: Int { bytes.count }

    mutating func newLabel() -> Label {
        labelOffsets.append(nil)
        return Label(id: labelOffsets.count - 1)
    }

    mutating func bind(_ label: Label) { labelOffsets[label.id] = bytes.count }

    /// Where `label` was bound; nil when it was not.
    func offset(of label: Label) -> Int? { labelOffsets[label.id] }

    /// The finished code, or nil when a label was used but never bound.
    func finished() -> [UInt8]? {
        var out = bytes
        for fixup in fixups {
            guard let target = labelOffsets[fixup.label] else { return nil }
            let rel = Int32(truncatingIfNeeded: target - (fixup.at + 4))
            withUnsafeBytes(of: rel.littleEndian) { raw in
                for k in 0..<4 { out[fixup.at + k] = raw[k] }
            }
        }
        return out
    }

    // MARK: raw encoding

    private mutating func byte(_ b: UInt8) { bytes.append(b) }
    private mutating func imm32(_ v: Int32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
    private mutating func imm64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Prefixes, REX, opcode and ModRM for `reg` against a register or memory `rm`.
    private mutating func encode(wide: Bool, _ opcode: [UInt8], reg: UInt8, rm: X86Reg? = nil, memory: X86Memory? = nil,
                                 operandSize16: Bool = false, byteRegisters: Bool = false, lock: Bool = false) {
        if lock { byte(0xf0) }
        if operandSize16 { byte(0x66) }
        let base = memory?.base.rawValue ?? rm?.rawValue ?? 0
        let rex: UInt8 = 0x40 | (wide ? 8 : 0) | (reg & 8 != 0 ? 4 : 0) | (base & 8 != 0 ? 1 : 0)
        // A byte register other than al-bl needs a REX prefix to be addressable at all.
        if rex != 0x40 || byteRegisters { byte(rex) }
        bytes.append(contentsOf: opcode)
        if let memory {
            byte(0x80 | (reg & 7) << 3 | (memory.base.rawValue & 7))
            imm32(memory.displacement)
        } else {
            byte(0xc0 | (reg & 7) << 3 | (base & 7))
        }
    }

    // MARK: moves

    /// `mov dst, [m]` with zero extension for sizes below 8.
    mutating func load(_ dst: X86Reg, _ m: X86Memory, size: Int = 8) {
        switch size {
        case 1: encode(wide: false, [0x0f, 0xb6], reg: dst.rawValue, memory: m)
        case 2: encode(wide: false, [0x0f, 0xb7], reg: dst.rawValue, memory: m)
        case 4: encode(wide: false, [0x8b], reg: dst.rawValue, memory: m)
        default: encode(wide: true, [0x8b], reg: dst.rawValue, memory: m)
        }
    }

    /// `movsx dst, [m]`: a sign-extending load of 1, 2 or 4 bytes into 64 bits.
    mutating func loadSigned(_ dst: X86Reg, _ m: X86Memory, size: Int) {
        switch size {
        case 1: encode(wide: true, [0x0f, 0xbe], reg: dst.rawValue, memory: m)
        case 2: encode(wide: true, [0x0f, 0xbf], reg: dst.rawValue, memory: m)
        default: encode(wide: true, [0x63], reg: dst.rawValue, memory: m)
        }
    }

    /// `mov [m], src` of the low `size` bytes of `src` (rax, rcx or rdx for bytes).
    mutating func store(_ m: X86Memory, _ src: X86Reg, size: Int = 8) {
        switch size {
        case 1: encode(wide: false, [0x88], reg: src.rawValue, memory: m, byteRegisters: true)
        case 2: encode(wide: false, [0x89], reg: src.rawValue, memory: m, operandSize16: true)
        case 4: encode(wide: false, [0x89], reg: src.rawValue, memory: m)
        default: encode(wide: true, [0x89], reg: src.rawValue, memory: m)
        }
    }

    /// `mov qword [m], imm32` sign-extended.
    mutating func store(_ m: X86Memory, immediate: Int32) {
        encode(wide: true, [0xc7], reg: 0, memory: m)
        imm32(immediate)
    }

    /// `mov dst, src` (64 bits), or `mov dst32, src32`, which zero-extends.
    mutating func move(_ dst: X86Reg, _ src: X86Reg, wide: Bool = true) {
        encode(wide: wide, [0x89], reg: src.rawValue, rm: dst)
    }

    /// `dst = value`, in the shortest of the sign-extended, zero-extended and full forms.
    mutating func move(_ dst: X86Reg, immediate value: UInt64) {
        if value <= UInt64(UInt32.max) {
            if dst.rawValue & 8 != 0 { byte(0x41) }
            byte(0xb8 + (dst.rawValue & 7))
            imm32(Int32(truncatingIfNeeded: value))
        } else if Int64(bitPattern: value) >= Int64(Int32.min) && Int64(bitPattern: value) < 0 {
            encode(wide: true, [0xc7], reg: 0, rm: dst)
            imm32(Int32(truncatingIfNeeded: value))
        } else {
            byte(0x48 | (dst.rawValue & 8 != 0 ? 1 : 0))
            byte(0xb8 + (dst.rawValue & 7))
            imm64(value)
        }
    }

    /// `lea dst, [m]`.
    mutating func lea(_ dst: X86Reg, _ m: X86Memory) { encode(wide: true, [0x8d], reg: dst.rawValue, memory: m) }

    // MARK: arithmetic

    enum ALU: UInt8 {
        // The `op r/m, reg` opcode; the `/digit` of the immediate form is opcode >> 3.
        case add = 0x01, or = 0x09, and = 0x21, sub = 0x29, xor = 0x31, cmp = 0x39
    }

    /// `op dst, src`.
    mutating func alu(_ op: ALU, _ dst: X86Reg, _ src: X86Reg, wide: Bool = true) {
        encode(wide: wide, [op.rawValue], reg: src.rawValue, rm: dst)
    }

    /// `op dst, [m]` (the `reg, r/m` direction).
    mutating func alu(_ op: ALU, _ dst: X86Reg, _ m: X86Memory) {
        encode(wide: true, [op.rawValue + 2], reg: dst.rawValue, memory: m)
    }

    /// `op dst, imm32` sign-extended.
    mutating func alu(_ op: ALU, _ dst: X86Reg, immediate: Int32, wide: Bool = true) {
        encode(wide: wide, [0x81], reg: op.rawValue >> 3, rm: dst)
        imm32(immediate)
    }

    /// `op qword [m], imm32` sign-extended.
    mutating func alu(_ op: ALU, _ m: X86Memory, immediate: Int32) {
        encode(wide: true, [0x81], reg: op.rawValue >> 3, memory: m)
        imm32(immediate)
    }

    /// `lock op [m], src` of 4 or 8 bytes.
    mutating func lockedALU(_ op: ALU, _ m: X86Memory, _ src: X86Reg, wide: Bool) {
        encode(wide: wide, [op.rawValue], reg: src.rawValue, memory: m, lock: true)
    }

    /// `test a, b`.
    mutating func test(_ a: X86Reg, _ b: X86Reg, wide: Bool = true) {
        encode(wide: wide, [0x85], reg: b.rawValue, rm: a)
    }

    /// `test reg, imm32`.
    mutating func test(_ a: X86Reg, immediate: Int32) {
        encode(wide: true, [0xf7], reg: 0, rm: a)
        imm32(immediate)
    }

    /// `imul dst, src`.
    mutating func multiply(_ dst: X86Reg, _ src: X86Reg, wide: Bool) {
        encode(wide: wide, [0x0f, 0xaf], reg: dst.rawValue, rm: src)
    }

    enum Unary: UInt8 { case neg = 3, div = 6, idiv = 7 }

    /// `neg`, `div` or `idiv` of a register (division: rdx:rax by it).
    mutating func unary(_ op: Unary, _ r: X86Reg, wide: Bool) {
        encode(wide: wide, [0xf7], reg: op.rawValue, rm: r)
    }

    enum Shift: UInt8 { case left = 4, right = 5, arithmeticRight = 7 }

    /// `shl/shr/sar r, cl`.
    mutating func shift(_ op: Shift, _ r: X86Reg, wide: Bool) {
        encode(wide: wide, [0xd3], reg: op.rawValue, rm: r)
    }

    /// `cqo` (wide) or `cdq`: sign-extends rax into rdx for `idiv`.
    mutating func signExtendAccumulator(wide: Bool) {
        if wide { byte(0x48) }
        byte(0x99)
    }

    /// `movsx dst, src` from the low `bits` of `src`, to 64 bits or to 32 (zero-extended).
    mutating func moveSignExtended(_ dst: X86Reg, _ src: X86Reg, bits: Int, wide: Bool) {
        switch bits {
        case 8: encode(wide: wide, [0x0f, 0xbe], reg: dst.rawValue, rm: src, byteRegisters: true)
        case 16: encode(wide: wide, [0x0f, 0xbf], reg: dst.rawValue, rm: src)
        default: encode(wide: true, [0x63], reg: dst.rawValue, rm: src)
        }
    }

    /// `movzx dst32, src16`.
    mutating func zeroExtend16(_ dst: X86Reg, _ src: X86Reg) {
        encode(wide: false, [0x0f, 0xb7], reg: dst.rawValue, rm: src)
    }

    /// `bswap` of the low 32 bits (zero-extending) or of all 64.
    mutating func byteSwap(_ r: X86Reg, wide: Bool) {
        byte(0x40 | (wide ? 8 : 0) | (r.rawValue & 8 != 0 ? 1 : 0))
        byte(0x0f)
        byte(0xc8 + (r.rawValue & 7))
    }

    /// `rol r16, 8`: swaps the two low bytes.
    mutating func swapLow16(_ r: X86Reg) {
        encode(wide: false, [0xc1], reg: 0, rm: r, operandSize16: true)
        byte(8)
    }

    // MARK: atomics

    /// `lock xadd [m], src`: adds, leaving the old value in `src`.
    mutating func lockedExchangeAdd(_ m: X86Memory, _ src: X86Reg, wide: Bool) {
        encode(wide: wide, [0x0f, 0xc1], reg: src.rawValue, memory: m, lock: true)
    }

    /// `xchg [m], src` (always locked).
    mutating func exchange(_ m: X86Memory, _ src: X86Reg, wide: Bool) {
        encode(wide: wide, [0x87], reg: src.rawValue, memory: m)
    }

    /// `lock cmpxchg [m], src`: compares with rax.
    mutating func lockedCompareExchange(_ m: X86Memory, _ src: X86Reg, wide: Bool) {
        encode(wide: wide, [0x0f, 0xb1], reg: src.rawValue, memory: m, lock: true)
    }

    // MARK: control flow

    mutating func jump(_ label: Label) {
        byte(0xe9)
        fixups.append((bytes.count, label.id))
        imm32(0)
    }

    mutating func jump(_ condition: X86Condition, _ label: Label) {
        byte(0x0f)
        byte(0x80 + condition.rawValue)
        fixups.append((bytes.count, label.id))
        imm32(0)
    }

    /// `call label` (a bpf-to-bpf call into the same code).
    mutating func call(_ label: Label) {
        byte(0xe8)
        fixups.append((bytes.count, label.id))
        imm32(0)
    }

    /// `call r` / `jmp r`.
    mutating func call(_ r: X86Reg) { encode(wide: false, [0xff], reg: 2, rm: r) }
    mutating func jump(_ r: X86Reg) { encode(wide: false, [0xff], reg: 4, rm: r) }

    mutating func ret() { byte(0xc3) }

    mutating func push(_ r: X86Reg) {
        if r.rawValue & 8 != 0 { byte(0x41) }
        byte(0x50 + (r.rawValue & 7))
    }

    mutating func pop(_ r: X86Reg) {
        if r.rawValue & 8 != 0 { byte(0x41) }
        byte(0x58 + (r.rawValue & 7))
    }

    /// `xorps xmm0, xmm0`.
    mutating func zeroVector0() { bytes.append(contentsOf: [0x0f, 0x57, 0xc0]) }

    /// `movups [m], xmm0`: 16 bytes, any alignment.
    mutating func storeVector0(_ m: X86Memory) { encode(wide: false, [0x0f, 0x11], reg: 0, memory: m) }
}
