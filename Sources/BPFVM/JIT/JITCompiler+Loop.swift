import BPFCore

/// bpf_loop calls the kernel replaces by a loop of its own (`VMProgram.inlinedLoopCalls`), run
/// as that loop in machine code: the callback is a bpf-to-bpf call of its compiled function,
/// not a trip through the helper thunk and the interpreter per iteration.
///
/// What the run sees is what the helper gives it (`SystemHelpers.loop` for an inlined call):
/// all 64 bits of the count compared with `VMLimits.maxLoops`, -E2BIG as a 32-bit number, the
/// callback called with (index, ctx) in a fresh zeroed frame until it returns non-zero, r0 the
/// number of calls. The callback's frame counts against the depth limit at each call and
/// faults there as the helper's callback does; its loops charge the run's budget, the calls
/// themselves nothing (the helper charges nothing either). What the helper thunk does before
/// any helper (the probe window closed, the last grant handed over) is done here too.
extension JITCompiler {
    /// bpf_loop's helper id.
    static let loopHelper: Int64 = 181
    /// More candidate callbacks than this, when the callback is not a known constant: the call
    /// goes through the helper (a compare per function before each loop would cost more).
    static let maxLoopCandidates = 8

    /// Whether `op` at `i` is a bpf_loop call to run as the kernel's loop.
    func inlinesLoop(_ op: ExecOp, at i: Int) -> Bool {
        op.code == .callHelper && op.imm == Self.loopHelper && inlinedLoops.contains(i)
    }

    /// The loop for the callback r2 names, once per function it may be; anything else (which
    /// the verifier lets through no path) goes to the helper, which answers as it always did.
    mutating func inlinedLoop(_ op: ExecOp, at i: Int) {
        let done = a.newLabel(), helper = a.newLabel()
        let r2 = Self.hostRegisters[2]
        var loops: [(X86Assembler.Label, Int)] = []
        for start in loopCallbacks() {
            let label = a.newLabel()
            a.alu(.cmp, r2, immediate: Int32(start))
            a.jump(.equal, label)
            loops.append((label, start))
        }
        a.jump(helper)
        for (label, start) in loops {
            a.bind(label)
            loop(calling: start, at: i)
            a.jump(done)
        }
        a.bind(helper)
        helperCall(op, at: i)
        a.bind(done)
    }

    /// The functions r2 may name at the call: the one a known constant names, else every
    /// function (few, or none: the helper then).
    private func loopCallbacks() -> [Int] {
        if let known = constants.value(of: 2) {
            return known < UInt64(Int32.max) && functionStarts.contains(Int(known)) ? [Int(known)] : []
        }
        return functionStarts.count <= Self.maxLoopCandidates ? functionStarts : []
    }

    /// The kernel's inline loop (its inline_bpf_loop): the caller's r6-r8 saved, then r6 the
    /// count, r7 the index, r8 the context while the callback runs (each call saves them as a
    /// bpf-to-bpf call saves r6-r9).
    private mutating func loop(calling start: Int, at i: Int) {
        let r0 = Self.hostRegisters[0], r1 = Self.hostRegisters[1], r2 = Self.hostRegisters[2]
        let r3 = Self.hostRegisters[3]
        let count = Self.hostRegisters[6], index = Self.hostRegisters[7], context = Self.hostRegisters[8]
        let tooMany = a.newLabel(), top = a.newLabel(), end = a.newLabel(), finished = a.newLabel()
        beforeHelper()
        a.alu(.cmp, r1, immediate: Int32(VMLimits.maxLoops))
        a.jump(.above, tooMany)
        for r in [count, index, context] { a.push(r) }
        a.move(count, r1)
        a.move(index, immediate: 0)
        a.move(context, r3)
        a.bind(top)
        a.alu(.cmp, index, count)
        a.jump(.aboveOrEqual, end)
        a.move(r1, index)
        a.move(r2, context)
        localCall(to: Int32(start), at: i, zeroing: reachableBytes(ofFunctionAt: start))
        a.alu(.add, index, immediate: 1)
        a.test(r0, r0)
        a.jump(.equal, top)
        a.bind(end)
        a.move(r0, index)
        for r in [context, index, count] { a.pop(r) }
        a.jump(finished)
        a.bind(tooMany)
        // -E2BIG as the kernel's loop moves it: 32 bits.
        a.move(r0, immediate: UInt64(UInt32(bitPattern: -LinuxErrno.E2BIG.rawValue)))
        a.bind(finished)
    }

    /// The bytes at the top of its frame the function at `start` can reach (`EntryStack` of its
    /// own instructions: when it copies r10 nowhere and calls no function, only its r10-relative
    /// accesses reach the frame, so only their bytes need zeroing at each call; the rest of the
    /// frame no pointer reaches). The whole frame otherwise, and for a function with a tail call,
    /// whose target runs in this frame (the thunk widens only the entry frame).
    private func reachableBytes(ofFunctionAt start: Int) -> Int {
        let end = functionStarts.first { $0 > start } ?? ops.count
        guard start >= 0, start < end, end <= ops.count else { return VMLimits.stackPerFrame }
        let code = UnsafeBufferPointer(rebasing: ops[start..<end])
        guard !code.contains(where: { $0.code == .tailCall }) else { return VMLimits.stackPerFrame }
        return EntryStack.bytes(code)
    }

    /// What the helper thunk does before every helper (`JITThunks.callHelper`): the probe
    /// window closed; the last grant forgotten, one the code made itself handed to the run's
    /// provider first (`JITStateView.handOverGrant`).
    private mutating func beforeHelper() {
        handOverPendingGrant()
        a.store(JITState.slot(.grantCount), immediate: 0)
        a.store(JITState.slot(.probeCount), immediate: 0)
    }

    /// A grant the code made and no helper has handed over yet: handed over now.
    mutating func handOverPendingGrant() {
        let kept = a.newLabel()
        a.load(.rax, JITState.slot(.grantWritable))
        a.test(.rax, immediate: 2)
        a.jump(.equal, kept)
        a.store(JITState.slot(.budget), Self.budget)
        callOut(JITThunks.handOverGrantAddress)
        a.bind(kept)
    }
}
