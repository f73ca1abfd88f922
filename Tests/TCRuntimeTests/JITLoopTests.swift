import BPFCore
import BPFVM
import Synchronization
import TCRuntime
import Testing

/// bpf_loop calls the kernel inlines, which the JIT runs as the kernel's loop in machine code
/// (`JITCompiler+Loop`), against the interpreter running the helper: the same r0, the same
/// memory, the same fault, for counts of 0, 1 and many, an early stop, counts past
/// BPF_MAX_LOOPS and counts with high bits set, nested loops and callbacks that fault.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITLoopTests {
    static let engines: [ExecutorKind] = [.interpreter, .jit]
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 50)

    enum Observed { case result, sum }

    /// `bpf_loop(count, step, &sum, flags)`, `step` adding its index to the sum and stopping at
    /// index `stopAt`; r0 is bpf_loop's answer or the sum. Flags 0: the kernel inlines the
    /// call. Flags the skb's mark (0 at run time, unknown to the verifier): the helper runs.
    static func program(count: UInt64, stopAt: Int32 = -1, inlined: Bool, observe: Observed) -> [Instruction] {
        [Asm.storeImm(8, 10, -8, 0), Asm.movReg(6, 1)]                                      // 0-1
            + Asm.lddw(1, Int32(truncatingIfNeeded: count), high: Int32(truncatingIfNeeded: count >> 32))  // 2-3
            + Asm.lddw(2, src: 4, 7)                                                        // 4-5: step at 12
            + [
                Asm.movReg(3, 10), Asm.add(3, -8),                                          // 6-7
                inlined ? Asm.mov(4, 0) : Asm.load(4, 4, 6, Int16(SKBField.mark)),          // 8
                Asm.call(181),                                                              // 9
                observe == .sum ? Asm.load(8, 0, 10, -8) : Asm.add(0, 0),                   // 10
                Asm.exit,                                                                   // 11
                // step(index r1, ctx r2)
                Asm.load(8, 3, 2, 0), Asm.addReg(3, 1), Asm.store(8, 2, 0, 3),              // 12-14
                Asm.mov(0, 0), Instruction(opcode: 0x55, dst: 1, offset: 1, imm: stopAt),   // 15-16
                Asm.mov(0, 1), Asm.exit,                                                    // 17-18
            ]
    }

    /// What bpf_loop answers and what the sum becomes, as the kernel's loop (inlined) and its
    /// helper (not) compute them.
    static func expected(count: UInt64, stopAt: Int32, inlined: Bool) -> (result: UInt64, sum: UInt64) {
        let limit = UInt64(VMLimits.maxLoops)
        let n = inlined ? count : UInt64(UInt32(truncatingIfNeeded: count))
        guard n <= limit else {
            return (inlined ? UInt64(UInt32(bitPattern: -7)) : UInt64(bitPattern: -7), 0)
        }
        let calls = stopAt >= 0 && UInt64(stopAt) < n ? UInt64(stopAt) + 1 : n
        return (calls, calls * (calls &- 1) / 2)
    }

    static func run(_ instructions: [Instruction], _ kind: ExecutorKind) throws -> UInt64 {
        let program = try TCProgram(instructions: instructions, executor: kind)
        if kind == .jit { #expect(program.program.isCompiled) }
        return try TCProgramRunner(executor: kind).run(program, on: SKBuff(packet: packet)).returnValue
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var count: UInt64
        var stopAt: Int32 = -1
        var testDescription: String { "count 0x\(String(count, radix: 16)) stop \(stopAt)" }
    }

    static let cases: [Case] = [
        Case(count: 0), Case(count: 1), Case(count: 64), Case(count: 64, stopAt: 0), Case(count: 64, stopAt: 5),
        Case(count: 1 << 23, stopAt: 2), Case(count: (1 << 23) + 1), Case(count: 0x1_0000_0003),
        Case(count: 0xffff_ffff_0000_0002), Case(count: UInt64.max),
    ]

    @Test(arguments: cases)
    func theLoopAnswersAsTheHelper(_ test: Case) throws {
        for inlined in [true, false] {
            let want = Self.expected(count: test.count, stopAt: test.stopAt, inlined: inlined)
            for kind in Self.engines {
                let result = try Self.run(Self.program(count: test.count, stopAt: test.stopAt, inlined: inlined, observe: .result), kind)
                let sum = try Self.run(Self.program(count: test.count, stopAt: test.stopAt, inlined: inlined, observe: .sum), kind)
                #expect(result == want.result, "\(kind) inlined \(inlined)")
                #expect(sum == want.sum, "\(kind) inlined \(inlined)")
            }
        }
    }

    /// The JIT's machine code runs the inlined loop without the helper; the interpreter calls
    /// the helper once per bpf_loop call. A call the kernel does not inline goes to the helper on both.
    @Test func theJITRunsTheInlinedLoopWithoutTheHelper() throws {
        final class Counter: Sendable { let calls = Mutex(0) }
        let counter = Counter()
        var options = TCHelpers.options()
        guard let original = options.helpers[181] else {
            Issue.record("no bpf_loop helper")
            return
        }
        options.helpers.register(181, name: "loop") { call in
            counter.calls.withLock { $0 += 1 }
            return original(&call)
        }
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
        defer { context.deallocate() }
        context.initializeMemory(as: UInt8.self, repeating: 0)
        var answers: [ExecutorKind: UInt64] = [:]
        for kind in Self.engines {
            options.executor = kind
            let program = try VMProgram(instructions: Self.program(count: 40, stopAt: 30, inlined: true, observe: .sum),
                                        options: options)
            counter.calls.withLock { $0 = 0 }
            answers[kind] = try kind.executor.run(program, context: context, packet: nil, environment: RunEnvironment(), r2: 0)
            #expect(counter.calls.withLock { $0 } == (kind == .jit ? 0 : 1), "\(kind)")
        }
        #expect(answers[.interpreter] == 465)
        #expect(answers[.jit] == 465)
    }

    /// bpf_loop(outer, f, &sum), f calling bpf_loop(inner, g, the same &sum), g adding
    /// 1000 + its index: both calls inlined, the inner one from inside a callback's frame.
    static func nestedProgram(outer: Int32, inner: Int32) -> [Instruction] {
        // main 0-9, f 10-17, g 18-23
        [Asm.storeImm(8, 10, -8, 0), Asm.mov(1, outer)]                                     // 0-1
            + Asm.lddw(2, src: 4, 7)                                                        // 2-3: f at 10
            + [Asm.movReg(3, 10), Asm.add(3, -8), Asm.mov(4, 0), Asm.call(181),             // 4-7
               Asm.load(8, 0, 10, -8), Asm.exit]                                            // 8-9
            + [Asm.movReg(3, 2), Asm.mov(1, inner)]                                         // 10-11: f
            + Asm.lddw(2, src: 4, 5)                                                        // 12-13: g at 18
            + [Asm.mov(4, 0), Asm.call(181), Asm.mov(0, 0), Asm.exit]                       // 14-17
            + [Asm.load(8, 3, 2, 0), Asm.addReg(3, 1), Asm.add(3, 1000), Asm.store(8, 2, 0, 3),  // 18-21: g
               Asm.mov(0, 0), Asm.exit]                                                     // 22-23
    }

    @Test(arguments: [(Int32(0), Int32(5)), (3, 0), (3, 7), (20, 50)])
    func nestedLoopsAgree(_ outer: Int32, _ inner: Int32) throws {
        let want = UInt64(outer) * (UInt64(inner) * UInt64(max(inner - 1, 0)) / 2 + 1000 * UInt64(inner))
        for kind in Self.engines {
            #expect(try Self.run(Self.nestedProgram(outer: outer, inner: inner), kind) == want, "\(kind)")
        }
    }

    /// A callback whose fifth helper call fails (get_prandom_u32 replaced by one that fails on
    /// its fifth call; a verified tc program has no other way to fault inside a callback): the
    /// run stops with the helper's fault at the callback's call, on both engines, after the
    /// same calls.
    static let failing: [Instruction] =
        [Asm.storeImm(8, 10, -8, 0), Asm.mov(1, 10)]                                        // 0-1
        + Asm.lddw(2, src: 4, 6)                                                            // 2-3: f at 9
        + [Asm.movReg(3, 10), Asm.add(3, -8), Asm.mov(4, 0), Asm.call(181), Asm.exit]       // 4-8
        + [Asm.movReg(6, 2), Asm.load(8, 3, 6, 0), Asm.addReg(3, 1), Asm.store(8, 6, 0, 3), // 9-12: f
           Asm.call(7), Asm.mov(0, 0), Asm.exit]                                            // 13-15

    @Test func aCallbackThatFaultsEndsTheRunAlike() throws {
        final class Counter: Sendable { let calls = Mutex(0) }
        let counter = Counter()
        var options = TCHelpers.options()
        options.helpers.register(7, name: "get_prandom_u32") { call in
            let n = counter.calls.withLock { calls in
                calls += 1
                return calls
            }
            if n == 5 { call.failure = "the fifth call fails" }
            return 0
        }
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
        defer { context.deallocate() }
        context.initializeMemory(as: UInt8.self, repeating: 0)
        for kind in Self.engines {
            options.executor = kind
            let program = try VMProgram(instructions: Self.failing, options: options)
            if kind == .jit { #expect(program.isCompiled) }
            counter.calls.withLock { $0 = 0 }
            do throws(VMFault) {
                let r0 = try kind.executor.run(program, context: context, packet: nil, environment: RunEnvironment(), r2: 0)
                Issue.record("\(kind): the run returned \(r0)")
            } catch {
                #expect(error == VMFault(instruction: 13, kind: .helper("the fifth call fails")), "\(kind)")
            }
            #expect(counter.calls.withLock { $0 } == 5, "\(kind)")
        }
    }
}
