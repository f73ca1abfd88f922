import BPFCore
import BPFVM
import Testing

/// The JIT checks a base that looks like a packet pointer against the packet first
/// (`PacketGuess`): right or wrong, the access must end as on the interpreter.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITPacketGuessTests {
    static func ldxw(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x61, dst: dst, src: src, offset: off)
    }
    static func subReg(_ dst: UInt8, _ src: UInt8) -> Instruction { Instruction(opcode: 0x1f, dst: dst, src: src) }

    /// r2 = data; r0 = byte 3 of the packet.
    static let inside = [ldxw(2, 1, 0), Asm.ldxb(0, 2, 3), Asm.exit]
    /// r2 = data; a byte far past the packet's end.
    static let past = [ldxw(2, 1, 0), Asm.ldxb(0, 2, 100), Asm.exit]
    /// r2 = data, then moved onto the frame (r2 += r10 - data): guessed a packet pointer, it is
    /// a stack pointer; a store and a load through it.
    static let wrongGuess = [
        ldxw(2, 1, 0), Asm.movReg(3, 10), subReg(3, 2), Asm.addReg(2, 3),
        Asm.stdw(2, -8, 7), Asm.ldxdw(0, 2, -8), Asm.exit,
    ]

    static func run(_ instructions: [Instruction], _ kind: ExecutorKind) -> Result<UInt64, VMFault> {
        var options = VerifierOptions()
        options.executor = kind
        options.contextPacketPointers = [0: .start, 4: .end]
        let program: VMProgram
        do {
            program = try VMProgram(instructions: instructions, options: options)
        } catch {
            Issue.record("refused: \(error)")
            return .failure(VMFault(instruction: -1, kind: .instructionLimit))
        }
        #expect(program.isCompiled == (kind == .jit))
        var context = [UInt8](repeating: 0, count: 8)
        var packet = [UInt8](0..<16)
        return context.withUnsafeMutableBytes { ctx in
            packet.withUnsafeMutableBytes { pkt in
                do throws(VMFault) {
                    return .success(try kind.executor.run(program, context: ctx, packet: pkt, environment: RunEnvironment(), r2: 0))
                } catch {
                    return .failure(error)
                }
            }
        }
    }

    @Test func guessedAccessesEndAsOnTheInterpreter() {
        #expect(Self.run(Self.inside, .jit) == .success(3))
        #expect(Self.run(Self.inside, .jit) == Self.run(Self.inside, .interpreter))
        // Past the packet: the same fault (the address differs: each run has its own packet).
        for kind in [ExecutorKind.jit, .interpreter] {
            let fault = Self.run(Self.past, kind)
            guard case .failure(let error) = fault, case .outOfBounds(_, 1, false) = error.kind else {
                Issue.record("\(kind): expected an out-of-bounds read, got \(fault)")
                continue
            }
            #expect(error.instruction == 1, "\(kind)")
        }
        #expect(Self.run(Self.wrongGuess, .jit) == .success(7))
        #expect(Self.run(Self.wrongGuess, .interpreter) == .success(7))
    }
}
