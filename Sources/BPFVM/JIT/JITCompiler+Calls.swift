/// Helper calls, tail calls and bpf-to-bpf calls.
extension JITCompiler {
    /// `call id` or `callx reg`: through the Swift helper thunk, which sets r0.
    mutating func helperCall(_ op: ExecOp, at i: Int) {
        a.store(JITState.slot(.budget), Self.budget)
        if op.code == .callHelper {
            a.move(.rsi, immediate: UInt64(bitPattern: op.imm))
        } else {
            loadRegister(.rsi, op.dst)
        }
        a.move(.rdx, immediate: UInt64(i))
        callOut(JITThunks.helperAddress)
        a.alu(.cmp, .rax, immediate: Int32(JITThunks.Status.exit.rawValue))
        a.jump(.equal, finalExit)
        a.jump(.above, faultExit)
    }

    /// `bpf_tail_call`: jumps into the target's code in the same frame; when there is no
    /// target (or the limit is reached) the program continues, as in the kernel.
    mutating func tailCall(at i: Int) {
        let proceed = a.newLabel()
        a.store(JITState.slot(.budget), Self.budget)
        a.move(.rsi, immediate: UInt64(i))
        callOut(JITThunks.tailCallAddress)
        a.test(.rax, .rax)
        a.jump(.equal, proceed)
        a.alu(.cmp, .rax, immediate: Int32(JITThunks.Status.exit.rawValue))
        a.jump(.equal, exitSequence)
        a.alu(.cmp, .rax, immediate: Int32(JITThunks.Status.fault.rawValue))
        a.jump(.equal, faultExit)
        a.jump(.rax)
        a.bind(proceed)
    }

    /// A bpf-to-bpf call: a new zeroed 512-byte frame below the caller's, r6-r9 and the
    /// running program saved on the host stack, a host `call`; the callee's exit returns here.
    mutating func localCall(to target: Int32, at i: Int) {
        let frame = Int32(VMLimits.stackPerFrame)
        a.alu(.cmp, JITState.slot(.depth), immediate: Int32(VMLimits.maxCallFrames - 1))
        a.jump(.greaterOrEqual, faultStub(instruction: i, .callDepth))
        for r in 6...9 { a.push(Self.hostRegisters[r]) }
        a.load(.rax, JITState.slot(.program))
        a.push(.rax)
        a.alu(.add, JITState.slot(.depth), immediate: 1)
        a.load(.rax, JITState.slot(.stackLow))
        a.alu(.sub, .rax, immediate: frame)
        a.store(JITState.slot(.stackLow), .rax)
        a.alu(.add, JITState.slot(.stackCount), immediate: frame)
        a.call(zeroFrame)
        setFramePointer()
        a.call(label(of: target))

        a.pop(.rax)
        a.store(JITState.slot(.program), .rax)
        for r in [9, 8, 7, 6] { a.pop(Self.hostRegisters[r]) }
        a.alu(.sub, JITState.slot(.depth), immediate: 1)
        a.alu(.add, JITState.slot(.stackLow), immediate: frame)
        a.alu(.sub, JITState.slot(.stackCount), immediate: frame)
        setFramePointer()
    }

    /// r10 = the top of the innermost frame.
    private mutating func setFramePointer() {
        a.load(.rax, JITState.slot(.stackLow))
        a.alu(.add, .rax, immediate: Int32(VMLimits.stackPerFrame))
        storeRegister(10, .rax)
    }
}
