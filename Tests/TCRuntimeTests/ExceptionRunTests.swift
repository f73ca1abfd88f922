import BPFCore
import BPFVM
import TCRuntime
import Testing

/// `bpf_throw` on both engines: thrown three frames deep, the program ends at once and returns
/// the cookie (no exception callback) or what its exception callback returns for it; the
/// frames in between never finish (their returns would give other numbers).
@Suite struct ExceptionRunTests {
    static let engines: [ExecutorKind] = [.interpreter, .jit]
    static let throwCall = Instruction(opcode: 0x85, src: 2, imm: EmbeddedKfunc.throwException.rawValue)
    /// The callback's first slot in `program`.
    static let callbackSlot: UInt32 = 11

    /// main calls f1 calls f2, which throws r1 (the cookie main set); each frame returns a number of
    /// its own had it gone on. Then, when asked for, the callback: r0 = cookie + 100 (without one,
    /// its code would be unreachable).
    static func program(cookie: UInt64, callback: Bool = true) -> [Instruction] {
        Asm.lddw(1, Int32(truncatingIfNeeded: cookie), high: Int32(truncatingIfNeeded: cookie >> 32)) + [
            Instruction(opcode: 0x85, src: 1, imm: 2), Asm.mov(0, 1), Asm.exit,   // 2-4: main
            Instruction(opcode: 0x85, src: 1, imm: 2), Asm.mov(0, 2), Asm.exit,   // 5-7: f1
            throwCall, Asm.mov(0, 3), Asm.exit,                                   // 8-10: f2
        ] + (callback ? [Asm.movReg(0, 1), Asm.add(0, 100), Asm.exit] : [])      // 11-13: callback
    }

    static func run(cookie: UInt64, callback: Bool, _ kind: ExecutorKind) throws -> UInt64 {
        let globals = callback ? [GlobalFunction(instruction: callbackSlot, name: "on_exception", returnsScalar: true,
                                                 arguments: [.scalar], isExceptionCallback: true)] : []
        let program = try TCProgram(bytes: Instruction.encode(program(cookie: cookie, callback: callback)), globalFunctions: globals, executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64))
        return try TCProgramRunner(executor: kind).run(program, on: skb).returnValue
    }

    @Test(arguments: engines)
    func withoutCallbackTheCookieIsReturned(_ kind: ExecutorKind) throws {
        #expect(try Self.run(cookie: 0x1_0000_0029, callback: false, kind) == 0x1_0000_0029)
        #expect(try Self.run(cookie: 7, callback: false, kind) == 7)
    }

    @Test(arguments: engines)
    func theCallbackAnswersForTheProgram(_ kind: ExecutorKind) throws {
        #expect(try Self.run(cookie: 0x1_0000_0029, callback: true, kind) == 0x1_0000_008d)
        #expect(try Self.run(cookie: 7, callback: true, kind) == 107)
    }

    /// The callback must take one number (`exception cb only supports single integer argument`).
    @Test func aCallbackWithTwoArgumentsIsRefused() {
        let globals = [GlobalFunction(instruction: Self.callbackSlot, name: "cb", returnsScalar: true,
                                      arguments: [.scalar, .scalar], isExceptionCallback: true)]
        #expect(throws: VMError.self) {
            _ = try TCProgram(bytes: Instruction.encode(Self.program(cookie: 1)), globalFunctions: globals)
        }
    }
}
