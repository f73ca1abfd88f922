import BPFCore
import BPFVM
import Testing

/// Tail calls made inside a bpf-to-bpf callee: the target runs in the callee's frame and its
/// exit returns to the caller. The same on the interpreter, on the JIT, and on the JIT calling a
/// target loaded without machine code.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITTailCallTests {
    /// main: call f (r1, the context, passed on); r0 += 100; exit. f: tail-call slot 0 (r0 = 5
    /// when that fails); exit.
    static let caller = [
        Asm.callLocal(2), Asm.add(0, 100), Asm.exit,
        Asm.mov(2, 0), Asm.mov(3, 0), Asm.call(12), Asm.mov(0, 5), Asm.exit,
    ]
    /// Writes its frame (which must be the callee's), then returns 7.
    static let target = [Asm.stdw(10, -8, 1), Asm.ldxdw(0, 10, -8), Asm.add(0, 6), Asm.exit]

    final class Slot: TailCallResolver {
        let program: VMProgram?
        init(_ program: VMProgram?) { self.program = program }
        func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? {
            index == 0 ? program.map(Unmanaged.passUnretained) : nil
        }
    }

    static func load(_ instructions: [Instruction], _ kind: ExecutorKind) throws -> VMProgram {
        var options = VerifierOptions()
        options.executor = kind
        return try VMProgram(instructions: instructions, options: options)
    }

    @Test(arguments: [(ExecutorKind.interpreter, ExecutorKind.interpreter), (.jit, .jit), (.jit, .interpreter)])
    func tailCallFromACalleeReturnsToTheCaller(_ kinds: (ExecutorKind, ExecutorKind)) throws {
        let main = try Self.load(Self.caller, kinds.0)
        let target = try Self.load(Self.target, kinds.1)
        var context = [UInt8](repeating: 0, count: 8)
        let r0 = try context.withUnsafeMutableBytes { ctx in
            try kinds.0.executor.run(main, context: ctx, packet: nil,
                                     environment: RunEnvironment(tailCalls: Slot(target)), r2: 0)
        }
        #expect(r0 == 107, "\(kinds)")
        let missed = try context.withUnsafeMutableBytes { ctx in
            try kinds.0.executor.run(main, context: ctx, packet: nil,
                                     environment: RunEnvironment(tailCalls: Slot(nil)), r2: 0)
        }
        #expect(missed == 105, "\(kinds)")
    }
}
