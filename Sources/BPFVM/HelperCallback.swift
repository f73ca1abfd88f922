extension HelperCall {
    /// Calls the program's function starting at `slot` (a value a `lddw` function reference
    /// loaded, as `bpf_loop` receives it) with r1-r5 and returns its r0. The callback runs in a
    /// new stack frame below the caller's, sees the caller's stack (callback contexts usually
    /// live there) and counts against the frame limit. Nil when it faulted or `slot` is not a
    /// function: the helper must then return at once; the program stops with the fault.
    public mutating func callFunction(_ slot: UInt64, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0,
                                      _ a4: UInt64 = 0, _ a5: UInt64 = 0) -> UInt64? {
        guard callbackFault == nil, let site else { return nil }
        // Called from machine code: the callback runs as machine code too, and the code's table
        // of functions answers whether `slot` is one (without hashing it, as the set does). The
        // code is read unretained: the run holds the program, which holds its code.
        let native: Unmanaged<NativeCode>? = site.jitState == nil ? nil : site.program.unretainedNative
        let function = native?._withUnsafeGuaranteedRef { $0.functionAddress(slot) }
        guard function != nil || (slot < UInt64(Int.max) && site.program.functionStarts.contains(Int(slot))) else {
            callbackFault = VMFault(instruction: site.instruction, kind: .helper("callback \(slot) is not a function"))
            return nil
        }
        guard site.depth + 1 < VMLimits.maxRunFrames else {
            callbackFault = VMFault(instruction: site.instruction, kind: .callDepth)
            return nil
        }
        var mem = memory
        if let packet {
            mem.packetLow = Machine.address(packet.baseAddress)
            mem.packetCount = UInt64(packet.count)
        }
        let frame = UInt64(VMLimits.stackPerFrame)
        // A JIT run's entry frame may be shallower than a whole frame (`EntryStack`): the
        // callback's frame goes below a whole one, and the bytes between are zeroed, as they
        // come into its range.
        let short = (frame - mem.stackCount % frame) % frame
        if short > 0 {
            mem.stackLow -= short
            mem.stackCount += short
            Machine.pointer(mem.stackLow).initializeMemory(as: UInt8.self, repeating: 0, count: Int(short))
        }
        mem.stackLow -= frame
        mem.stackCount += frame
        Machine.pointer(mem.stackLow).initializeMemory(as: UInt8.self, repeating: 0, count: VMLimits.stackPerFrame)
        let result: Result<(UInt64, packetLow: UInt64, packetCount: UInt64), VMFault>
        if let state = site.jitState, let native, let function {
            result = native._withUnsafeGuaranteedRef {
                JITCallback.run(function, of: $0, state: state, memory: mem, depth: site.depth + 1,
                                arguments: (a1, a2, a3, a4, a5))
            }
        } else {
            result = interpret(slot, memory: mem, site: site, arguments: (a1, a2, a3, a4, a5))
        }
        switch result {
        case let .success((value, packetLow, packetCount)):
            // A packet helper inside the callback moves the caller's packet too.
            if packetLow != mem.packetLow || packetCount != mem.packetCount {
                packet = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(packetLow)),
                                                        count: Int(packetCount))
            }
            return value
        case let .failure(fault):
            callbackFault = fault
            return nil
        }
    }

    /// The callback on the interpreter, in the frame `mem` ends with (inlined into
    /// `callFunction`, whose interpreter path this was).
    @inline(__always)
    private func interpret(_ slot: UInt64, memory mem: RunMemory, site: CallbackSite,
                           arguments a: (UInt64, UInt64, UInt64, UInt64, UInt64))
        -> Result<(UInt64, packetLow: UInt64, packetCount: UInt64), VMFault> {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16) { regs in
            guard let r = regs.baseAddress else {
                return .failure(VMFault(instruction: site.instruction, kind: .helper("no memory for the callback's registers")))
            }
            r.initialize(repeating: 0, count: 16)
            r[1] = a.0; r[2] = a.1; r[3] = a.2; r[4] = a.3; r[5] = a.4
            r[10] = mem.stackLow &+ UInt64(VMLimits.stackPerFrame)
            var machine = Machine(callbackOf: site.program, registers: r, frames: site.frames, memory: mem,
                                  environment: environment)
            do throws(VMFault) {
                let value = try machine.execute(entry: Int(slot), baseDepth: site.depth + 1, continuingRun: true)
                return .success((value, machine.memory.packetLow, machine.memory.packetCount))
            } catch {
                return .failure(error)
            }
        }
    }
}
