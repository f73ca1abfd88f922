/// Helper calls, tail calls and bpf-to-bpf calls.
extension JITCompiler {
    /// `call id` or `callx reg`: through the Swift helper thunk, which sets r0.
    mutating func helperCall(_ op: ExecOp, at i: Int) {
        let done = a.newLabel()
        if op.code == .callHelper, op.imm == 1, !directLookups.isEmpty {
            // goes on to the helper when no direct lookup applies
            directLookup(done: done, handedOver: !ValueEscape.diesAtNextCall(ops, after: i))
        }
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
        a.bind(done)
    }

    /// `bpf_map_lookup_elem` without the helper (`DirectMapLookup`), as the kernel's JIT does
    /// it: when r1 is the handle of a map that allows it and the key's bytes lie in the stack
    /// (anything else: the helper). An array's value address is computed here, bounds-checked;
    /// another map's lookup is called straight. Either way r0 gets the value's address or 0,
    /// and the value's bytes become the grant the check routine allows, marked as the code's
    /// own (bit 1 of `grantWritable`) so the next helper call hands it to the run's provider —
    /// unless `handedOver` is false: no path lets the pointer outlive that call (`ValueEscape`),
    /// so the grant is forgotten there as a helper's is.
    private mutating func directLookup(done: X86Assembler.Label, handedOver: Bool) {
        let helper = a.newLabel(), miss = a.newLabel()
        let r0 = Self.hostRegisters[0], r1 = Self.hostRegisters[1], r2 = Self.hostRegisters[2]
        var matched: [(X86Assembler.Label, DirectMapLookup)] = []
        for lookup in directLookups {
            let label = a.newLabel()
            a.move(.rax, immediate: lookup.handle)
            a.alu(.cmp, r1, .rax)
            a.jump(.equal, label)
            matched.append((label, lookup))
        }
        a.jump(helper)
        for (label, lookup) in matched {
            a.bind(label)
            jumpUnlessInside(r2, low: .stackLow, count: .stackCount, size: Int32(lookup.keySize), outside: helper)
            switch lookup.kind {
            case let .array(base, stride, maxEntries):
                handOverPendingGrant()
                a.move(.rsi, r2)
                a.load(.rax, X86Memory(.rsi), size: 4)
                a.move(.rcx, immediate: UInt64(maxEntries))
                a.alu(.cmp, .rax, .rcx)
                a.jump(.aboveOrEqual, miss)
                a.move(.rcx, immediate: UInt64(stride))
                a.multiply(.rax, .rcx, wide: true)
                a.move(.rcx, immediate: base)
                a.alu(.add, .rax, .rcx)
            case .call:
                // The thunk hands over the last grant itself.
                a.store(JITState.slot(.budget), Self.budget)
                a.move(.rsi, immediate: UInt64(UInt(bitPattern: Unmanaged.passUnretained(lookup.finder).toOpaque())))
                a.move(.rdx, r2)
                callOut(JITThunks.directLookupAddress)
                a.test(.rax, .rax)
                a.jump(.equal, miss)
            }
            a.move(r0, .rax)
            a.store(JITState.slot(.grantLow), .rax)
            a.store(JITState.slot(.grantCount), immediate: Int32(lookup.valueSize))
            a.store(JITState.slot(.grantWritable), immediate: (lookup.writable ? 1 : 0) | (handedOver ? 2 : 0))
            a.jump(done)
        }
        a.bind(miss)
        a.move(r0, immediate: 0)
        a.store(JITState.slot(.grantCount), immediate: 0)
        a.store(JITState.slot(.grantWritable), immediate: 0)
        a.jump(done)
        a.bind(helper)
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
    /// `zeroing`: how many bytes at the frame's top to zero, when the callee cannot reach the
    /// rest (`EntryStack` of its own code).
    mutating func localCall(to target: Int32, at i: Int, zeroing: Int = VMLimits.stackPerFrame) {
        let frame = Int32(VMLimits.stackPerFrame)
        a.alu(.cmp, JITState.slot(.depth), immediate: Int32(VMLimits.maxRunFrames - 1))
        a.jump(.greaterOrEqual, faultStub(instruction: i, .callDepth))
        for r in 6...9 { a.push(Self.hostRegisters[r]) }
        a.load(.rax, JITState.slot(.program))
        a.push(.rax)
        a.alu(.add, JITState.slot(.depth), immediate: 1)
        a.load(.rax, JITState.slot(.stackLow))
        a.alu(.sub, .rax, immediate: frame)
        a.store(JITState.slot(.stackLow), .rax)
        a.alu(.add, JITState.slot(.stackCount), immediate: frame)
        if zeroing >= VMLimits.stackPerFrame {
            a.call(zeroFrame)
        } else if zeroing > 0 {
            a.zeroVector0()
            for k in stride(from: VMLimits.stackPerFrame - zeroing, to: VMLimits.stackPerFrame, by: 16) {
                a.storeVector0(X86Memory(.rax, Int32(k)))
            }
        }
        setFramePointer()
        a.call(functionEntry(target))

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
