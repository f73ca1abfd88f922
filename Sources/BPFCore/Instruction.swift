/// One 8-byte eBPF instruction, field for field (RFC 9669 section 3).
///
/// A 64-bit immediate load is two of these; the second has opcode 0 and carries the upper 32 bits.
public struct Instruction: Hashable, Sendable {
    public var opcode: UInt8
    /// Destination register, 0-15 as encoded (only 0-10 exist).
    public var dst: UInt8
    /// Source register, 0-15 as encoded.
    public var src: UInt8
    public var offset: Int16
    public var imm: Int32

    public init(opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.opcode = opcode
        self.dst = dst & 0x0f
        self.src = src & 0x0f
        self.offset = offset
        self.imm = imm
    }

    public var instructionClass: InstructionClass { InstructionClass(opcode: opcode) }

    /// Reads one instruction from 8 little-endian bytes starting at `start`.
    public init<C: Collection<UInt8>>(bytes: C, at start: C.Index) {
        var i = start
        func next() -> UInt8 { defer { i = bytes.index(after: i) }; return bytes[i] }
        let op = next()
        let regs = next()
        let off = UInt16(next()) | UInt16(next()) << 8
        var imm: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { imm |= UInt32(next()) << UInt32(shift) }
        self.init(opcode: op, dst: regs & 0x0f, src: regs >> 4,
                  offset: Int16(bitPattern: off), imm: Int32(bitPattern: imm))
    }

    /// The 8 little-endian bytes of this instruction.
    public var bytes: [UInt8] {
        let off = UInt16(bitPattern: offset)
        let im = UInt32(bitPattern: imm)
        return [opcode, dst | src << 4, UInt8(off & 0xff), UInt8(off >> 8),
                UInt8(im & 0xff), UInt8(im >> 8 & 0xff), UInt8(im >> 16 & 0xff), UInt8(im >> 24)]
    }

    /// Splits raw bytes into instructions; nil when the length is not a multiple of 8.
    public static func decode(_ bytes: [UInt8]) -> [Instruction]? {
        guard bytes.count % 8 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 8).map { Instruction(bytes: bytes, at: $0) }
    }

    /// The raw bytes of a program.
    public static func encode(_ program: [Instruction]) -> [UInt8] {
        program.flatMap(\.bytes)
    }
}
