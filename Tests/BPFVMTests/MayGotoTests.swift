import BPFCore
import BPFVM
import Testing

/// may_goto as the x86-64 kernel's timed rewrite runs it (`MayGotoClock`): a count of 0xffff
/// passes per frame, the clock stamped when it first runs out, the frame's loops ended at the
/// first refill after the slice has passed; on the interpreter and the JIT alike, pass for pass.
@Suite struct MayGotoTests {
    static let passes = 0xffff
    static func mayGoto(_ off: Int16) -> Instruction { Instruction(opcode: 0xe5, offset: off) }

    /// r0 counts the passes of a loop only may_goto ends; each pass charges 3 instructions
    /// (the backward jump from slot 3 to slot 1).
    static let endless: [Instruction] = [
        Asm.mov(0, 0),
        mayGoto(2),
        Asm.add(0, 1),
        Asm.ja(-3),
        Asm.exit,
    ]

    func options(slice: Int, budget: Int = 100_000_000) -> VerifierOptions {
        var options = VerifierOptions()
        options.mayGotoSliceInstructions = slice
        options.maxExecutedInstructions = budget
        return options
    }

    func passes(_ program: [Instruction], _ options: VerifierOptions) throws -> Result<UInt64, VMFault> {
        try MemorySafetyTests().run(program, options: options)
    }

    @Test func aSliceOfOneEndsTheLoopAtTheSecondRefill() throws {
        // The first refill stamps the clock; the second finds the slice spent.
        #expect(try passes(Self.endless, options(slice: 1)).get() == UInt64(2 * Self.passes))
    }

    @Test func theLoopEndsAtTheFirstRefillPastTheSlice() throws {
        // Each count of 0xffff passes charges 3 * 0xffff: the third refill after the stamp finds
        // exactly three such counts spent, the one before only two.
        let slice = 3 * 3 * Self.passes
        #expect(try passes(Self.endless, options(slice: slice)).get() == UInt64(4 * Self.passes))
        #expect(try passes(Self.endless, options(slice: slice + 1)).get() == UInt64(5 * Self.passes))
    }

    @Test func aLoopShorterThanTheSliceRunsToItsEnd() throws {
        // 300,000 passes, past several counts of 0xffff, with a slice they never spend.
        let program = [
            Asm.mov(0, 0),
            Self.mayGoto(3),
            Asm.add(0, 1),
            Asm.jeq(0, 300_000, 1),
            Asm.ja(-4),
            Asm.exit,
        ]
        #expect(try passes(program, options(slice: 10_000_000)).get() == 300_000)
    }

    @Test func eachFrameHasItsOwnCount() throws {
        // main: r6 = f() + f(); then its own loop adds its passes; f: the endless loop.
        let program = [
            Asm.callLocal(8),
            Asm.movReg(6, 0),
            Asm.callLocal(6),
            Asm.addReg(6, 0),
            // main's loop: r6 += its passes
            Self.mayGoto(2),
            Asm.add(6, 1),
            Asm.ja(-3),
            Asm.movReg(0, 6),
            Asm.exit,
        ] + Self.endless
        // Two calls of 2 * 0xffff passes each, then main's own 2 * 0xffff, not spent by them.
        let expected = UInt64(6 * Self.passes)
        #expect(try passes(program, options(slice: 1)).get() == expected)
    }

    @Test func callbacksChargeTheCallersClock() throws {
        // main: while may_goto { r1 = &callback; call 300 (runs it); r6 += 1 }; each pass charges
        // 6, and the callback's loop 198 more. The slice is ten counts of main's passes alone:
        // with the callbacks charged, the first refill after the stamp finds it spent.
        var options = options(slice: 10 * Self.passes * 6)
        options.helpers.register(300, name: "run_callback") { call in call.callFunction(call.r1) ?? 0 }
        let program = [Asm.mov(6, 0), Self.mayGoto(5)] + Asm.lddw(1, 6, source: 4) + [
            Asm.call(300),
            Asm.add(6, 1),
            Asm.ja(-6),
            Asm.movReg(0, 6),
            Asm.exit,
            // callback: 100 iterations
            Asm.mov(0, 0),
            Asm.add(0, 1),
            Asm.jne(0, 100, -2),
            Asm.mov(0, 0),
            Asm.exit,
        ]
        #expect(try passes(program, options).get() == UInt64(2 * Self.passes))
    }

    @Test func anUnprovenEndlessLoopStillMeetsTheBudget() throws {
        // No program-type rules: nothing proved the loop ends, and the slice is longer than the
        // budget, so the budget stops it.
        let result = try passes(Self.endless, options(slice: Int.max, budget: 1_000_000))
        guard case .failure(let fault) = result else {
            Issue.record("the loop ran to an end: \(result)")
            return
        }
        #expect(fault.kind == .instructionLimit)
        #expect(fault.description.contains("run budget"))
    }
}
