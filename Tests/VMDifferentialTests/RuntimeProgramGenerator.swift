import BPFCore

/// Random SCHED_CLS programs that use the runtime, not only the ALU: packet loads and stores
/// behind a bounds check, the stack, atomics, context fields, array and hash map lookups and
/// updates, a ring buffer, a queue, and helpers (packet-changing ones among them, after which
/// the packet pointers are loaded and checked again). Built to pass the verifier: every access
/// in bounds, every lookup checked for NULL, no pointer ever turned into a number, so the
/// outcome follows from the input alone and `EngineDifferential` can compare the engines.
///
/// Registers: r6 the context, r7 the packet's start (64 bytes checked), r8 its end; r0-r5
/// and r9 hold numbers (calls clobber r1-r5, so they are reloaded from the stack after each).
/// Maps by index: 0 array (4 x 16 bytes), 1 hash (4-byte keys, 8-byte values), 2 ring buffer,
/// 3 queue of 8-byte values.
struct RuntimeProgramGenerator {
    var rng: SplitMix64
    private var code: [Instruction] = []
    /// Indexes of the `if data + 64 > data_end goto out` jumps, patched to the epilogue.
    private var exits: [Int] = []

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let scalars: [UInt8] = [0, 1, 2, 3, 4, 5, 9]
    static let packetBytes: Int16 = 64
    /// The stack the program uses: 64 bytes, zeroed first.
    static let stackBytes: Int16 = 64

    mutating func program() -> [Instruction] {
        // r0 and r9 are folded at the end, which the packet check's exit reaches first.
        code = [Asm.movReg(6, 1), Asm.mov(0, 0), Asm.mov(9, 0)]
        for slot in stride(from: Self.stackBytes, to: 0, by: -8) {
            code.append(Instruction(opcode: 0x7a, dst: 10, offset: -slot, imm: 0))
        }
        checkPacket()
        for reg in Self.scalars { code.append(initialValue(reg)) }
        for _ in 0..<Int.random(in: 6...40, using: &rng) { step() }
        let epilogue = code.count
        for index in exits { code[index].offset = Int16(epilogue - index - 1) }
        // The folding registers may never have been written on the path to the epilogue.
        code += [Asm.alu(.xor, wide: true, dst: 0, src: 9)] + Asm.foldR0 + [Asm.exit]
        return code
    }

    // MARK: Pieces

    mutating func scalar() -> UInt8 { Self.scalars.randomElement(using: &rng) ?? 0 }
    mutating func coin() -> Bool { Bool.random(using: &rng) }
    mutating func imm() -> Int32 {
        coin() ? Int32(truncatingIfNeeded: rng.next()) : ProgramGenerator.values32.randomElement(using: &rng) ?? 1
    }
    mutating func size() -> Int { [1, 2, 4, 8].randomElement(using: &rng) ?? 8 }

    /// r7 = data, r8 = data_end, and out unless 64 bytes are there (r1 is the scratch).
    mutating func checkPacket() {
        code += [Asm.loadWord(7, 6, 76), Asm.loadWord(8, 6, 80), Asm.movReg(1, 7),
                 Asm.alu(.add, wide: true, dst: 1, imm: Int32(Self.packetBytes))]
        exits.append(code.count)
        code.append(Asm.jump(.jgt, wide: true, dst: 1, src: 8, offset: 0))
        code.append(initialValue(1))
    }

    /// A number from the packet or the stack (unknown to the verifier) or a constant.
    mutating func initialValue(_ reg: UInt8) -> Instruction {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Self.load(8, reg, 7, Int16.random(in: 0...Self.packetBytes - 8, using: &rng))
        case 1: return Self.load(8, reg, 10, -8 * Int16.random(in: 1...Self.stackBytes / 8, using: &rng))
        default: return Asm.mov(reg, imm())
        }
    }

    /// After a call: r1-r5 from the stack.
    mutating func reloadArguments() {
        for reg: UInt8 in 1...5 { code.append(Self.load(8, reg, 10, -8 * Int16(reg))) }
    }

    static func sizeBits(_ size: Int) -> UInt8 {
        switch size { case 1: 0x10; case 2: 0x08; case 8: 0x18; default: 0x00 }
    }
    static func load(_ size: Int, _ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x61 | sizeBits(size), dst: dst, src: src, offset: offset)
    }
    /// The cpu v4 sign-extending load (`memsx`), 1, 2 or 4 bytes.
    static func loadSigned(_ size: Int, _ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x81 | sizeBits(size), dst: dst, src: src, offset: offset)
    }
    static func store(_ size: Int, _ dst: UInt8, _ offset: Int16, _ src: UInt8) -> Instruction {
        Instruction(opcode: 0x63 | sizeBits(size), dst: dst, src: src, offset: offset)
    }
    static func storeImm(_ size: Int, _ dst: UInt8, _ offset: Int16, _ imm: Int32) -> Instruction {
        Instruction(opcode: 0x62 | sizeBits(size), dst: dst, offset: offset, imm: imm)
    }
    static func call(_ id: Int32) -> Instruction { Instruction(opcode: 0x85, imm: id) }
    static func map(_ index: Int32) -> [Instruction] {
        [Instruction(opcode: 0x18, dst: 1, src: 5, imm: index), Instruction(opcode: 0)]
    }

    /// A stack offset of an aligned `size`-byte slot in the used part (the kernel checks
    /// stack alignment strictly).
    mutating func stackOffset(_ size: Int) -> Int16 {
        let slots = Int(Self.stackBytes) / size
        return -Int16(size * Int.random(in: 1...slots, using: &rng))
    }

    // MARK: Steps

    mutating func step() {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<22: alu()
        case 22..<30: packetLoad()
        case 30..<36: packetStore()
        case 36..<44: stackAccess()
        case 44..<50: atomic()
        case 50..<56: context()
        case 56..<62: arrayLookup()
        case 62..<67: hashUpdate()
        case 67..<70: coin() ? ringOutput() : ringReserve()
        case 70..<74: queue()
        case 74..<80: packetHelper()
        case 80..<86: numberHelper()
        case 86..<89: checksumDiff()
        default: branch()
        }
    }

    mutating func alu() {
        let op = ProgramGenerator.binary.randomElement(using: &rng) ?? .add
        let wide = coin(), dst = scalar()
        let signed: Int16 = (op == .div || op == .mod) && coin() ? 1 : 0
        if coin() {
            code.append(Asm.alu(op, wide: wide, dst: dst, src: scalar(), offset: signed))
            return
        }
        switch op {
        case .div, .mod:
            var divisor = imm()
            if divisor == 0 { divisor = 3 }
            code.append(Asm.alu(op, wide: wide, dst: dst, imm: divisor, offset: signed))
        case .lsh, .rsh, .arsh:
            code.append(Asm.alu(op, wide: wide, dst: dst, imm: Int32.random(in: 0..<(wide ? 64 : 32), using: &rng)))
        default:
            code.append(Asm.alu(op, wide: wide, dst: dst, imm: imm()))
        }
        if coin() {
            code.append(coin() ? Asm.alu(.neg, wide: coin(), dst: scalar())
                : Asm.byteSwap(dst: scalar(), bits: [16, 32, 64].randomElement(using: &rng) ?? 16, wide: coin(),
                               bigEndian: coin()))
        }
    }

    mutating func packetLoad() {
        let size = size()
        let offset = Int16.random(in: 0...Self.packetBytes - Int16(size), using: &rng)
        code.append(size < 8 && coin() ? Self.loadSigned(size, scalar(), 7, offset) : Self.load(size, scalar(), 7, offset))
    }

    mutating func packetStore() {
        let size = size()
        let offset = Int16.random(in: 0...Self.packetBytes - Int16(size), using: &rng)
        code.append(coin() ? Self.store(size, 7, offset, scalar()) : Self.storeImm(size, 7, offset, imm()))
    }

    mutating func stackAccess() {
        let size = size(), offset = stackOffset(size)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: code.append(Self.store(size, 10, offset, scalar()))
        case 1: code.append(Self.storeImm(size, 10, offset, imm()))
        default: code.append(size < 8 && coin() ? Self.loadSigned(size, scalar(), 10, offset) : Self.load(size, scalar(), 10, offset))
        }
    }

    /// An atomic read-modify-write on a stack slot (or the array value `base` points at):
    /// add, or, and, xor with or without fetch, xchg, cmpxchg (against r0).
    mutating func atomic(base: UInt8 = 10, offset fixed: Int16? = nil) {
        let wide = coin()
        let offset = fixed ?? stackOffset(wide ? 8 : 4)
        let ops: [Int32] = [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]
        let op = ops.randomElement(using: &rng) ?? 0
        // Never the base (a map value's pointer in r0 stored would be an address), and not r0
        // for cmpxchg, which compares with r0 and loads into it.
        if op == 0xf1 && base == 0 { return }
        var src = scalar()
        if src == base || (op == 0xf1 && src == 0) { src = 9 }
        code.append(Instruction(opcode: wide ? 0xdb : 0xc3, dst: base, src: src, offset: offset, imm: op))
    }

    mutating func context() {
        let readable: [Int16] = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72]
        let writable: [Int16] = [8, 32, 44, 48, 52, 56, 60, 64, 72]
        if coin() {
            code.append(Self.load(4, scalar(), 6, readable.randomElement(using: &rng) ?? 0))
        } else {
            code.append(Self.store(4, 6, writable.randomElement(using: &rng) ?? 8, scalar()))
        }
    }

    /// Looks a key up in the array (or the hash); on a hit, loads, stores and atomics on the
    /// value, the last load leaving a number in r0; on a miss r0 is 0.
    mutating func arrayLookup() {
        let array = coin()
        let key: Int32 = array ? Int32.random(in: 0...5, using: &rng) : Int32.random(in: 0...8, using: &rng)
        let valueSize: Int16 = array ? 16 : 8
        code.append(Self.storeImm(4, 10, -72, key))
        code += Self.map(array ? 0 : 1) + [Asm.movReg(2, 10), Asm.alu(.add, wide: true, dst: 2, imm: -72), Self.call(1)]
        reloadArguments()
        let saved = code
        code = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let size = [4, 8].randomElement(using: &rng) ?? 8
            let offset = Int16(size * Int.random(in: 0..<Int(valueSize) / size, using: &rng))
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: code.append(Self.store(size, 0, offset, [1, 2, 3, 4, 5, 9].randomElement(using: &rng) ?? 9))
            case 1: atomic(base: 0, offset: Int16(8 * Int.random(in: 0..<Int(valueSize) / 8, using: &rng)))
            default: code.append(Self.load(size, [1, 2, 3, 4, 5, 9].randomElement(using: &rng) ?? 9, 0, offset))
            }
        }
        code.append(Self.load(8, 0, 0, 0))
        let body = code
        code = saved + [Asm.jump(.jeq, wide: true, dst: 0, imm: 0, offset: Int16(body.count))] + body
    }

    /// bpf_map_update_elem or bpf_map_delete_elem on the hash, key and value from the stack.
    mutating func hashUpdate() {
        code.append(Self.storeImm(4, 10, -72, Int32.random(in: 0...8, using: &rng)))
        code += Self.map(1) + [Asm.movReg(2, 10), Asm.alu(.add, wide: true, dst: 2, imm: -72)]
        if coin() {
            code += [Asm.movReg(3, 10), Asm.alu(.add, wide: true, dst: 3, imm: Int32(stackOffset(8))),
                     Asm.mov(4, Int32.random(in: 0...2, using: &rng)), Self.call(2)]
        } else {
            code.append(Self.call(3))
        }
        reloadArguments()
    }

    /// bpf_ringbuf_output of some stack bytes.
    mutating func ringOutput() {
        let size = Int32(8 * Int.random(in: 1...4, using: &rng))
        code += Self.map(2) + [Asm.movReg(2, 10), Asm.alu(.add, wide: true, dst: 2, imm: -size),
                               Asm.mov(3, size), Asm.mov(4, 0), Self.call(130)]
        reloadArguments()
    }

    /// bpf_ringbuf_reserve; on success stores into the record, then submit or discard it.
    mutating func ringReserve() {
        let size = Int32(8 * Int.random(in: 1...4, using: &rng))
        code += Self.map(2) + [Asm.mov(2, size), Asm.mov(3, 0), Self.call(131)]
        reloadArguments()
        let saved = code
        code = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let offset = Int16(8 * Int.random(in: 0..<Int(size) / 8, using: &rng))
            code.append(coin() ? Self.store(8, 0, offset, [2, 3, 4, 5, 9].randomElement(using: &rng) ?? 9)
                : Self.storeImm(4, 0, offset, imm()))
        }
        // submit and discard return nothing: r0 is written again.
        code += [Asm.movReg(1, 0), Asm.mov(2, 0), Self.call(coin() ? 132 : 133), Self.load(8, 0, 10, -8)]
        let body = code
        code = saved + [Asm.jump(.jeq, wide: true, dst: 0, imm: 0, offset: Int16(body.count))] + body
        reloadArguments()
    }

    /// bpf_map_push_elem, pop or peek on the queue, through a stack slot.
    mutating func queue() {
        let helper: Int32 = [87, 88, 89].randomElement(using: &rng) ?? 87
        code += Self.map(3) + [Asm.movReg(2, 10), Asm.alu(.add, wide: true, dst: 2, imm: Int32(stackOffset(8)))]
        if helper == 87 { code.append(Asm.mov(3, Int32.random(in: 0...2, using: &rng))) }
        code.append(Self.call(helper))
        reloadArguments()
    }

    /// skb_store_bytes, skb_load_bytes or l3/l4_csum_replace; those that may change the packet
    /// are followed by the packet check again.
    mutating func packetHelper() {
        code.append(Asm.movReg(1, 6))
        switch Int.random(in: 0..<3, using: &rng) {
        case 0, 1:
            let length = Int32.random(in: 1...16, using: &rng)
            let store = coin()
            code += [Asm.mov(2, Int32.random(in: 0...Int32(Self.packetBytes) - length, using: &rng)),
                     Asm.movReg(3, 10), Asm.alu(.add, wide: true, dst: 3, imm: -32), Asm.mov(4, length)]
            code += [Asm.mov(5, store ? [0, 1, 2].randomElement(using: &rng) ?? 0 : 0), Self.call(store ? 9 : 26)]
            reloadArguments()
            if store { checkPacket() }
        default:
            let l4 = coin()
            code += [Asm.mov(2, Int32.random(in: 0...Int32(Self.packetBytes) - 4, using: &rng)),
                     Self.load(4, 3, 10, -8), Self.load(4, 4, 10, -16),
                     Asm.mov(5, ([2, 4].randomElement(using: &rng) ?? 2) | (l4 && coin() ? 0x10 : 0)),
                     Self.call(l4 ? 11 : 10)]
            reloadArguments()
            checkPacket()
        }
    }

    /// Helpers that answer a number: random, the clocks, the CPU, the flow hash.
    mutating func numberHelper() {
        let helper: Int32 = [7, 5, 125, 118, 8, 42, 34].randomElement(using: &rng) ?? 7
        if helper == 34 { code.append(Asm.movReg(1, 6)) }
        code.append(Self.call(helper))
        reloadArguments()
    }

    /// bpf_csum_diff over two stack ranges.
    mutating func checksumDiff() {
        let from = Int32(4 * Int.random(in: 0...4, using: &rng)), to = Int32(4 * Int.random(in: 0...4, using: &rng))
        code += [Asm.movReg(1, 10), Asm.alu(.add, wide: true, dst: 1, imm: -16), Asm.mov(2, from),
                 Asm.movReg(3, 10), Asm.alu(.add, wide: true, dst: 3, imm: -40), Asm.mov(4, to), Self.call(28)]
        reloadArguments()
    }

    /// A conditional jump over a few steps of numbers and memory.
    mutating func branch() {
        let op = ProgramGenerator.jumps.randomElement(using: &rng) ?? .jeq
        let saved = code
        code = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: packetStore()
            case 1: stackAccess()
            case 2: atomic()
            default: alu()
            }
        }
        let body = code
        let jump = coin()
            ? Asm.jump(op, wide: coin(), dst: scalar(), src: scalar(), offset: Int16(body.count))
            : Asm.jump(op, wide: coin(), dst: scalar(), imm: imm(), offset: Int16(body.count))
        code = saved + [jump] + body
    }
}
