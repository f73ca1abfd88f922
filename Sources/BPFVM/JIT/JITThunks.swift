/// Swift functions the machine code calls for what it does not do inline: accesses outside
/// the stack, context and packet; helper calls; tail calls. C calling convention, so the code
/// calls them directly; they report through return codes and the state block, never by throwing.
enum JITThunks {
    typealias Check = @convention(c) (UnsafeMutableRawPointer, UInt64, UInt64, UInt64) -> UInt64
    typealias Helper = @convention(c) (UnsafeMutableRawPointer, UInt64, UInt64) -> UInt64
    typealias TailCall = @convention(c) (UnsafeMutableRawPointer, UInt64) -> UInt64

    /// What the helper and tail-call thunks return to the code.
    enum Status: UInt64 {
        case proceed = 0
        /// End the run (helper) or take the exit at the current depth (a tail call the interpreter ran).
        case exit = 1
        case fault = 2
        // A tail call into machine code returns the address to jump to instead.
    }

    /// Whether the run's memory provider allows `[address, address + size)`, asked after the
    /// inline checks (stack, context, packet, the program's regions) failed: 1 yes, 0 no (and
    /// the fault is recorded). The instruction is in the state block.
    static let check: Check = { raw, address, size, write in
        let state = JITStateView(raw)
        // A guarded store may change what the probe window shows; a read may not: the window
        // opens only while no context store waits to be taken in (`probeWindow`), and every
        // store closes it, so a read here never takes one in. Closing it on reads too cost
        // a probe-thunk call after each (a kernel skb member read between context reads).
        if write != 0 { state.closeProbeWindow() }
        let instruction = state[.faultInstruction]
        let run = state.run
        if let direct = run.pointee.directAllows {
            if direct.function(direct.context, address, size, write != 0) { return 1 }
        } else if run.pointee.provider?.allows(address, size: size, write: write != 0) == true {
            return 1
        }
        state.recordFault(.outOfBounds, instruction: instruction, address: address, size: size, write: write != 0)
        return 0
    }

    /// A probe load of `[address, address + size)` (`aux` as `ExecOp.aux`): its value, or 0.
    /// Then opens the provider's probe window, which the code reads inline until it is closed.
    static let probeLoad: Check = { raw, address, aux, _ in
        let state = JITStateView(raw)
        let value = state.programReference._withUnsafeGuaranteedRef { program in
            let memory = state.memory(regions: program.regions)
            return ProbeLoad.value(at: address, aux: UInt8(truncatingIfNeeded: aux), memory: memory)
        }
        let run = state.run
        if let direct = run.pointee.directProbeWindow {
            var count: UInt64 = 0
            state[.probeLow] = direct.function(direct.context, &count)
            state[.probeCount] = count
        } else {
            let window = run.pointee.provider?.probeWindow ?? UnsafeRawBufferPointer(start: nil, count: 0)
            state[.probeLow] = UInt64(UInt(bitPattern: window.baseAddress))
            state[.probeCount] = UInt64(window.count)
        }
        return value
    }

    /// Calls helper `id` with r1-r5 as the interpreter does; r0 gets its result.
    static let helper: Helper = { raw, id, instruction in
        // The running program borrowed: the run holds it.
        state(raw).programReference._withUnsafeGuaranteedRef { program in
            callHelper(raw, id: id, instruction: instruction, program: program)
        }
    }

    private static func state(_ raw: UnsafeMutableRawPointer) -> JITStateView { JITStateView(raw) }

    @inline(__always)
    private static func callHelper(_ raw: UnsafeMutableRawPointer, id: UInt64, instruction: UInt64, program: VMProgram) -> UInt64 {
        let state = JITStateView(raw)
        state.closeProbeWindow()  // the helper may change what it shows
        state.handOverGrant()  // and may revoke the last grant
        let run = state.run
        let site = Int(truncatingIfNeeded: instruction)
        let environment = run.pointee.environment
        var call = HelperCall(registers: UnsafePointer(state.words), memory: state.memory(regions: program.regions),
                              environment: environment,
                              site: CallbackSite(program: program, frames: run.pointee.frames,
                                                 depth: Int(state[.depth]), instruction: site, jitState: raw))
        guard let result = program.helpers.call(Int64(bitPattern: id), &call) else {
            state.store(VMFault(instruction: site, kind: .unknownHelper(Int64(bitPattern: id))))
            return Status.fault.rawValue
        }
        let reports = call.takeReports()
        if let failure = reports.failure {
            state.store(VMFault(instruction: site, kind: .helper(failure)))
            return Status.fault.rawValue
        }
        if let nested = reports.callbackFault {
            state.store(nested)
            return Status.fault.rawValue
        }
        if let packet = call.packet {
            state[.packetLow] = Machine.address(packet.baseAddress)
            state[.packetCount] = UInt64(packet.count)
        }
        if let granted = call.granted { state.remember(granted) }
        if let window = call.probeWindow {
            state[.probeLow] = UInt64(UInt(bitPattern: window.baseAddress))
            state[.probeCount] = UInt64(window.count)
        }
        state.setRegister(0, result)
        return call.exitProgram ? Status.exit.rawValue : Status.proceed.rawValue
    }

    /// A direct map lookup (`DirectMapLookup.Kind.call`): `finder` (unretained: the program
    /// holds it) finds the key at `key`, which the code checked lies in the stack. The value's
    /// address or 0; the code grants it. No `HelperCall`, probe window or skb left alone: a
    /// lookup changes neither.
    static let directLookup: Check = { raw, finder, key, _ in
        let state = JITStateView(raw)
        state.handOverGrant()  // the code replaces it
        guard let finder = UnsafeRawPointer(bitPattern: UInt(finder)),
              let key = UnsafeRawPointer(bitPattern: UInt(key)) else { return 0 }
        let userData = state.run.pointee.environment.pointee.userData
        let value = Unmanaged<DirectMapFinder>.fromOpaque(finder)._withUnsafeGuaranteedRef { $0.find(key, userData: userData) }
        return UInt64(UInt(bitPattern: value))
    }

    /// Hands the code's own grant to the provider before an inline lookup replaces it.
    static let handOverGrant: Check = { raw, _, _, _ in
        JITStateView(raw).handOverGrant()
        return 0
    }

    /// `bpf_tail_call(ctx, r2 = map, r3 = index)`: the target's code address, or a status.
    /// The target is not retained: the resolver keeps it alive until the run ends.
    static let tailCall: TailCall = { raw, instruction in
        let state = JITStateView(raw)
        state.closeProbeWindow()
        state.handOverGrant()
        let run = state.run
        guard run.pointee.tailCalls < VMLimits.maxTailCalls else { return Status.proceed.rawValue }
        let map = state.register(2), index = UInt32(truncatingIfNeeded: state.register(3))
        let environment = run.pointee.environment
        guard let target = environment.pointee.directTailCalls.map({ $0.program(map: map, index: index) })
                ?? environment.pointee.tailCalls?.program(map: map, index: index)
        else { return Status.proceed.rawValue }
        run.pointee.tailCalls += 1
        state[.program] = UInt64(UInt(bitPattern: target.toOpaque()))
        return target._withUnsafeGuaranteedRef { target in
            // The target may reach deeper into the frame than the caller (the interpreter, always
            // the whole frame): zeroed as it would have been at entry, and inside the range.
            state.widenEntryFrame(to: target.native == nil ? VMLimits.stackPerFrame : target.nativeStackBytes)
            if let native = target.native { return native.bodyAddress }
            return interpretTailCall(target, state: state)
        }
    }

    /// A target loaded without machine code runs on the interpreter from the current frame
    /// until that frame exits (the run's budget, its own tail-call count: a fallback, not the fast path).
    private static func interpretTailCall(_ target: VMProgram, state: JITStateView) -> UInt64 {
        let run = state.run
        let environment = run.pointee.environment.pointee
        var machine = Machine(callbackOf: target, registers: state.words, frames: run.pointee.frames,
                              memory: state.memory(regions: target.regions, environment: environment),
                              environment: environment)
        do throws(VMFault) {
            let r0 = try machine.execute(entry: 0, baseDepth: Int(state[.depth]), continuingRun: true)
            state.setRegister(0, r0)
            state[.packetLow] = machine.memory.packetLow
            state[.packetCount] = machine.memory.packetCount
            return Status.exit.rawValue
        } catch {
            state.store(error)
            return Status.fault.rawValue
        }
    }

    // Not generic: a C function pointer passed as a generic value would be re-wrapped as a
    // Swift closure, and its bits would be the closure's, not the function's address.
    static var checkAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(check, to: UnsafeRawPointer.self))) }
    static var helperAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(helper, to: UnsafeRawPointer.self))) }
    static var probeLoadAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(probeLoad, to: UnsafeRawPointer.self))) }
    static var directLookupAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(directLookup, to: UnsafeRawPointer.self))) }
    static var handOverGrantAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(handOverGrant, to: UnsafeRawPointer.self))) }
    static var tailCallAddress: UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(tailCall, to: UnsafeRawPointer.self))) }
}

extension JITStateView {
    /// Forgets the last grant; one the code made itself (a direct map lookup: bit 1 of
    /// `grantWritable`) is first handed to the run's provider, which allows it from then on as
    /// it allows a helper's grant, so the value stays reachable as with the helper.
    /// Inlined: every helper and tail call passes here, and most have nothing to hand over.
    @inline(__always)
    func handOverGrant() {
        if self[.grantWritable] & 2 != 0 { handOverCodeGrant() }
        forgetGrant()
    }

    @inline(never)
    private func handOverCodeGrant() {
        let flags = self[.grantWritable], count = self[.grantCount]
        self[.grantWritable] = 0
        guard count != 0, let base = UnsafeMutableRawPointer(bitPattern: UInt(self[.grantLow])) else { return }
        run.pointee.provider?.grant(MemoryRegion(UnsafeMutableRawBufferPointer(start: base, count: Int(count)),
                                                 writable: flags & 1 != 0))
    }
}
