/// A helper's callback run as machine code when the helper was called from machine code
/// (`CallbackSite.jitState`): bpf_loop calls the kernel does not inline, for_each_map_elem,
/// user_ringbuf_drain, rbtree's `less` and the others that call back during the call. The
/// callback enters the running program's code through its callback entry (`NativeCode`), on
/// the run's own state block, so it sees what the interpreter would give it: r1-r5, the rest 0,
/// its zeroed frame (`HelperCall.callFunction` made it), the run's budget, packet and memory
/// provider; its exits and faults come back to the entry.
///
/// While the helper runs, the block holds the caller's state, which the caller's code reloads
/// once the helper returns (its registers, r10, frame bounds, depth, the program, the stack
/// pointers its exits and calls restore): it is kept aside and put back. The budget and the
/// packet are the run's, so what the callback leaves there stays.
enum JITCallback {
    static func run(_ function: UInt64, of native: NativeCode, state raw: UnsafeMutableRawPointer, memory mem: RunMemory,
                    depth: Int, arguments a: (UInt64, UInt64, UInt64, UInt64, UInt64))
        -> Result<(UInt64, packetLow: UInt64, packetCount: UInt64), VMFault> {
        let state = JITStateView(raw)
        // What the callback changes and the caller needs back: r0-r10 and these slots.
        let stackLow = state[.stackLow], stackCount = state[.stackCount], callerDepth = state[.depth]
        let program = state[.program], saved = state[.savedStackPointer], call = state[.callStackPointer]
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 11) { registers in
            guard let kept = registers.baseAddress else {
                return .failure(VMFault(instruction: Int(truncatingIfNeeded: state[.faultInstruction]),
                                        kind: .helper("no memory for the caller's registers")))
            }
            kept.initialize(from: state.words, count: 11)
            defer {
                state.words.update(from: kept, count: 11)
                state[.stackLow] = stackLow
                state[.stackCount] = stackCount
                state[.depth] = callerDepth
                state[.program] = program
                state[.savedStackPointer] = saved
                state[.callStackPointer] = call
                // What the callback's helpers granted or showed is not the caller's.
                state.handOverGrant()
                state.closeProbeWindow()
            }
            for r in 0..<10 { state.setRegister(r, 0) }
            state.setRegister(1, a.0); state.setRegister(2, a.1); state.setRegister(3, a.2)
            state.setRegister(4, a.3); state.setRegister(5, a.4)
            state.setRegister(10, mem.stackLow &+ UInt64(VMLimits.stackPerFrame))
            state[.stackLow] = mem.stackLow
            state[.stackCount] = mem.stackCount
            state[.packetLow] = mem.packetLow
            state[.packetCount] = mem.packetCount
            state[.depth] = UInt64(depth)
            state.handOverGrant()
            state.closeProbeWindow()
            let status = native.callbackEntry(raw, function)  // the caller guarantees `native`
            guard status == 0 else { return .failure(state.fault()) }
            return .success((state.register(0), state[.packetLow], state[.packetCount]))
        }
    }
}
