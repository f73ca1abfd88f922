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

    /// bpf_loop(outer, f, &ctx), f calling bpf_loop(inner, g, the same &ctx), g adding 1000 +
    /// its index to the context's sum: the inner call from inside a callback's frame. Each call's
    /// flags are 0 (inlined) or read from the context, where main put the skb's mark (the
    /// helper, whose callback runs as machine code on the JIT: `JITCallback`).
    static func nestedProgram(outer: Int32, inner: Int32, outerInlined: Bool, innerInlined: Bool) -> [Instruction] {
        [Asm.movReg(6, 1), Asm.load(4, 5, 6, Int16(SKBField.mark)), Asm.store(8, 10, -16, 5),  // 0-2
         Asm.storeImm(8, 10, -8, 0), Asm.mov(1, outer)]                                     // 3-4
            + Asm.lddw(2, src: 4, 7)                                                        // 5-6: f at 13
            + [Asm.movReg(3, 10), Asm.add(3, -16),                                          // 7-8
               outerInlined ? Asm.mov(4, 0) : Asm.load(8, 4, 10, -16), Asm.call(181),       // 9-10
               Asm.load(8, 0, 10, -8), Asm.exit]                                            // 11-12
            + [Asm.movReg(3, 2), innerInlined ? Asm.mov(4, 0) : Asm.load(8, 4, 2, 0),       // 13-14: f
               Asm.mov(1, inner)]                                                           // 15
            + Asm.lddw(2, src: 4, 4)                                                        // 16-17: g at 21
            + [Asm.call(181), Asm.mov(0, 0), Asm.exit]                                      // 18-20
            + [Asm.load(8, 3, 2, 8), Asm.addReg(3, 1), Asm.add(3, 1000), Asm.store(8, 2, 8, 3),  // 21-24: g
               Asm.mov(0, 0), Asm.exit]                                                     // 25-26
    }

    @Test(arguments: [(Int32(0), Int32(5)), (3, 0), (3, 7), (20, 50)])
    func nestedLoopsAgree(_ outer: Int32, _ inner: Int32) throws {
        let want = UInt64(outer) * (UInt64(inner) * UInt64(max(inner - 1, 0)) / 2 + 1000 * UInt64(inner))
        for (outerInlined, innerInlined) in [(true, true), (true, false), (false, true), (false, false)] {
            let program = Self.nestedProgram(outer: outer, inner: inner, outerInlined: outerInlined, innerInlined: innerInlined)
            for kind in Self.engines {
                #expect(try Self.run(program, kind) == want, "\(kind) inlined \(outerInlined) \(innerInlined)")
            }
        }
    }

    /// A callback whose fifth helper call fails (get_prandom_u32 replaced by one that fails on
    /// its fifth call; a verified tc program has no other way to fault inside a callback): the
    /// run stops with the helper's fault at the callback's call, on both engines, after the
    /// same calls. Flags 0 (inlined) or what ktime_get_ns (replaced: 0) returned (the helper).
    static func failing(inlined: Bool) -> [Instruction] {
        [Asm.storeImm(8, 10, -8, 0), Asm.call(5), inlined ? Asm.mov(4, 0) : Asm.movReg(4, 0), Asm.mov(1, 10)]  // 0-3
            + Asm.lddw(2, src: 4, 5)                                                        // 4-5: f at 10
            + [Asm.movReg(3, 10), Asm.add(3, -8), Asm.call(181), Asm.exit]                  // 6-9
            + [Asm.movReg(6, 2), Asm.load(8, 3, 6, 0), Asm.addReg(3, 1), Asm.store(8, 6, 0, 3),  // 10-13: f
               Asm.call(7), Asm.mov(0, 0), Asm.exit]                                        // 14-16
    }

    @Test(arguments: [true, false])
    func aCallbackThatFaultsEndsTheRunAlike(_ inlined: Bool) throws {
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
        options.helpers.register(5, name: "ktime_get_ns") { _ in 0 }
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
        defer { context.deallocate() }
        context.initializeMemory(as: UInt8.self, repeating: 0)
        for kind in Self.engines {
            options.executor = kind
            let program = try VMProgram(instructions: Self.failing(inlined: inlined), options: options)
            if kind == .jit { #expect(program.isCompiled) }
            counter.calls.withLock { $0 = 0 }
            do throws(VMFault) {
                let r0 = try kind.executor.run(program, context: context, packet: nil, environment: RunEnvironment(), r2: 0)
                Issue.record("\(kind): the run returned \(r0)")
            } catch {
                #expect(error == VMFault(instruction: 14, kind: .helper("the fifth call fails")), "\(kind)")
            }
            #expect(counter.calls.withLock { $0 } == 5, "\(kind)")
        }
    }
}
