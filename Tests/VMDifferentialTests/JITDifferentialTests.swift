import BPFCore
import BPFVM
import Testing

/// The generator's programs on the interpreter and on the JIT (no kernel needed): the same r0
/// or fault, and the same context and packet bytes afterwards. Seeds as in `RandomProgramTests`.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITDifferentialTests {
    struct Outcome: Equatable {
        var result: Result<UInt64, VMFault>
        var context: [UInt8]
        var packet: [UInt8]
    }

    /// Runs on the same buffers for both engines, reset before each run.
    static func outcome(_ program: VMProgram, on kind: ExecutorKind, context: UnsafeMutableRawBufferPointer,
                        packet: UnsafeMutableRawBufferPointer) -> Outcome {
        context.initializeMemory(as: UInt8.self, repeating: 0)
        _ = packet.initializeMemory(as: UInt8.self, from: DualRunner.packet)
        let result = Result { () throws(VMFault) -> UInt64 in
            try kind.executor.run(program, context: context, packet: packet, environment: RunEnvironment(), r2: 0)
        }
        return Outcome(result: result, context: Array(context), packet: Array(packet))
    }

    @Test func interpreterAndJITAgree() throws {
        var options = VerifierOptions()
        options.executor = .jit
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: DualRunner.contextSize, alignment: 16)
        let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: DualRunner.packet.count, alignment: 16)
        defer { context.deallocate(); packet.deallocate() }
        var compared = 0, mismatches = 0
        for i in 0..<RandomProgramTests.count {
            let seed = RandomProgramTests.seed &+ UInt64(i)
            var generator = ProgramGenerator(seed: seed)
            let instructions = generator.program()
            guard let program = try? VMProgram(instructions: instructions, options: options) else { continue }
            #expect(program.isCompiled, "seed \(seed): the JIT declined it")
            compared += 1
            let interpreted = Self.outcome(program, on: .interpreter, context: context, packet: packet)
            let jitted = Self.outcome(program, on: .jit, context: context, packet: packet)
            if interpreted != jitted {
                mismatches += 1
                Issue.record("seed \(seed): interpreter \(interpreted.result), JIT \(jitted.result)\n\(Disassembler.listing(instructions))")
            }
            if mismatches >= 5 { break }
        }
        #expect(compared > RandomProgramTests.count * 9 / 10, "only \(compared) programs loaded")
    }
}
