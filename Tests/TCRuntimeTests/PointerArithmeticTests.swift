import BPFCore
import BPFVM
import TCRuntime
import Testing

/// 32-bit ALU on a pointer is refused as the kernel refuses it (EACCES, "R%d 32-bit pointer
/// arithmetic prohibited"); mov, neg and sub take pointers in 32 bits and give scalars. The
/// kernel's answers for the same shapes were recorded with clang-built programs on Linux 6.18.
@Suite struct PointerArithmeticTests {
    /// `w<dst> <op>= <operand>` in 32 bits (BPF_ALU, not BPF_ALU64).
    static func alu32(_ op: UInt8, _ dst: UInt8, reg src: UInt8? = nil, imm: Int32 = 0) -> Instruction {
        Instruction(opcode: op | (src == nil ? 0x04 : 0x0c), dst: dst, src: src ?? 0, imm: imm)
    }
    static let add: UInt8 = 0x00, sub: UInt8 = 0x10, and: UInt8 = 0x50, mov: UInt8 = 0xb0

    /// r2 = skb->data, then `body`, then return 0.
    func load(_ body: [Instruction]) -> VMError? {
        do {
            _ = try TCProgram(instructions: [Asm.load(4, 2, 1, Int16(SKBField.data))] + body + [Asm.mov(0, 0), Asm.exit])
            return nil
        } catch {
            return error
        }
    }

    @Test func arithmeticOnPointersIn32BitsIsRefused() {
        for body in [[Self.alu32(Self.add, 2, imm: 1)],                      // packet pointer
                     [Self.alu32(Self.and, 2, imm: 0xff)],
                     [Self.alu32(Self.add, 1, imm: 4)],                      // context
                     [Asm.movReg(3, 10), Self.alu32(Self.add, 3, imm: 8)],   // frame pointer copy
                     [Asm.mov(3, 5), Self.alu32(Self.add, 3, reg: 2)]] {     // pointer as the source
            let error = load(body)
            #expect(error?.errno == .EACCES, "\(body)")
            #expect(error?.reason.hasSuffix("32-bit pointer arithmetic prohibited") == true)
        }
    }

    @Test func movNegAndSubTakePointersIn32Bits() {
        for body in [[Self.alu32(Self.sub, 2, imm: 1)],
                     [Asm.load(4, 3, 1, Int16(SKBField.dataEnd)), Self.alu32(Self.sub, 3, reg: 2)],
                     [Self.alu32(Self.mov, 0, reg: 2)],
                     [Instruction(opcode: 0x84, dst: 2)],                   // w2 = -w2
                     [Self.alu32(Self.sub, 1, imm: 4)]] {
            #expect(load(body) == nil, "\(body)")
        }
    }

    /// After a 32-bit sub the register is a scalar: more 32-bit arithmetic on it is fine.
    @Test func theResultOfA32BitSubIsAScalar() {
        #expect(load([Self.alu32(Self.sub, 2, imm: 1), Self.alu32(Self.add, 2, imm: 1)]) == nil)
    }
}
