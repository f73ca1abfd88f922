/// Translates a program's `ExecOp`s into x86-64 machine code, once per load.
///
/// r0-r9 live in host registers (`hostRegisters`), r10 in the state block rbx points at; calls
/// into Swift store r0-r9 there first and reload them after, so helpers, the slow path and
/// callbacks see them. The loop budget lives in rdx (a chain of read-modify-writes in memory
/// would bound every loop at one iteration per store-forwarding delay); the few instructions
/// that need rdx save it around their use. Each instruction works in rax, rcx and rsi.
/// Accesses are checked inline against the stack, then against context, packet and regions in
/// a shared routine; whatever a check refuses faults with the interpreter's `VMFault`.
struct JITCompiler {
    /// Larger programs stay on the interpreter: their code would take too much memory.
    static let maxOperations = 200_000

    var a = X86Assembler()
    let ops: UnsafeBufferPointer<ExecOp>
    let regions: [MemoryRegion]
    /// Maps whose lookups the code does itself at `call 1` (`DirectMapLookup`).
    let directLookups: [DirectMapLookup]
    /// bpf_loop calls run as the kernel's inline loop (`JITCompiler+Loop`), by instruction.
    let inlinedLoops: Set<Int>
    /// Where the program's functions start: what an inlined loop's callback may be.
    let functionStarts: [Int]
    var instructionLabels: [X86Assembler.Label] = []
    var deferred: [DeferredStub] = []
    /// Routines every program carries, shared by all instructions.
    var finalExit, faultExit, faultRoutine, checkRoutine, returnZero, exitSequence, zeroFrame: X86Assembler.Label
    /// Where a helper's callback enters the code from Swift (`JITCallback`).
    var callbackEntry: X86Assembler.Label
    /// Set when an operation cannot be translated; the program then stays on the interpreter.
    var declined = false
    /// `VMProgram.mayGotoSlice`; and where functions start when the program has a may_goto
    /// (their prologue fills the frame's count), else empty.
    let mayGotoSlice: Int
    var mayGotoFrameStarts: Set<Int> = []
    /// The prologues emitted for `mayGotoFrameStarts`, where bpf-to-bpf calls enter.
    var functionEntries: [Int: X86Assembler.Label] = [:]
    /// Registers that probably hold packet pointers at the instruction being compiled.
    var packetGuess = PacketGuess()
    /// Registers whose value is known at the instruction being compiled (`KnownConstants`).
    var constants = KnownConstants()
    /// While the unchecked copy of a `PacketSpan` is emitted: its base, whose accesses the
    /// span's one check at its start covers.
    var checkedSpanBase: UInt8?

    /// Code placed after the instructions, off the hot path.
    enum DeferredStub {
        case fault(X86Assembler.Label, instruction: Int, kind: JITState.FaultKind, size: Int)
        /// `stackInStub`: the inline check was the packet's, so the stub checks the stack too.
        case slowCheck(X86Assembler.Label, back: X86Assembler.Label, size: Int, write: Bool, instruction: Int, stackInStub: Bool)
    }

    /// The machine code for `ops`, or nil when the program should stay on the interpreter.
    /// `regions` are the program's load-time regions (map values, global data): checked inline.
    /// `inlinedLoops`: bpf_loop calls to run as the kernel's loop, only when the program's helper
    /// 181 is bpf_loop (`VMProgram.inlinedLoopCalls`); `functionStarts` their possible callbacks.
    static func compile(_ ops: UnsafeBufferPointer<ExecOp>, regions: UnsafeBufferPointer<MemoryRegion>,
                        directLookups: [DirectMapLookup] = [],
                        mayGotoSlice: Int = VMLimits.mayGotoSliceInstructions,
                        inlinedLoops: Set<Int> = [], functionStarts: [Int] = []) -> NativeCode? {
        #if arch(x86_64)
        guard ops.count > 0, ops.count <= maxOperations else { return nil }
        var compiler = JITCompiler(ops: ops, regions: regions, directLookups: directLookups, mayGotoSlice: mayGotoSlice,
                                   inlinedLoops: inlinedLoops, functionStarts: functionStarts)
        let body = compiler.emitProgram()
        let functions = compiler.functionOffsets()
        guard !compiler.declined, let callbacks = compiler.a.offset(of: compiler.callbackEntry),
              let code = compiler.a.finished(), let memory = ExecutableMemory(code: code) else { return nil }
        return NativeCode(memory: memory, bodyOffset: body, entryStackBytes: EntryStack.bytes(ops),
                          callbackEntryOffset: callbacks, functionOffsets: functions)
        #else
        return nil
        #endif
    }

    private init(ops: UnsafeBufferPointer<ExecOp>, regions: UnsafeBufferPointer<MemoryRegion>,
                 directLookups: [DirectMapLookup], mayGotoSlice: Int, inlinedLoops: Set<Int>, functionStarts: [Int]) {
        self.ops = ops
        self.regions = Array(regions)
        self.directLookups = directLookups
        self.mayGotoSlice = mayGotoSlice
        self.inlinedLoops = inlinedLoops
        self.functionStarts = functionStarts.filter { $0 >= 0 && $0 < ops.count }
        mayGotoFrameStarts = Self.mayGotoFrameStarts(ops)
        // Any function may be a callback (an inlined loop's, a helper's): entered through its prologue.
        if !mayGotoFrameStarts.isEmpty { mayGotoFrameStarts.formUnion(self.functionStarts) }
        // Region sizes are compared as 32-bit immediates; larger regions stay on the interpreter.
        if regions.contains(where: { $0.count > Int(Int32.max) / 2 }) { declined = true }
        finalExit = a.newLabel(); faultExit = a.newLabel(); faultRoutine = a.newLabel()
        checkRoutine = a.newLabel(); returnZero = a.newLabel(); exitSequence = a.newLabel()
        zeroFrame = a.newLabel(); callbackEntry = a.newLabel()
        for _ in 0..<ops.count { instructionLabels.append(a.newLabel()) }
    }

    static let calleeSaved: [X86Reg] = [.rbx, .rbp, .r12, .r13, .r14, .r15]
    /// Where the instructions left for loops live while machine code runs.
    static let budget = X86Reg.rdx
    /// Where r0-r9 live while machine code runs.
    static let hostRegisters: [X86Reg] = [.rdi, .rbp, .r8, .r9, .r10, .r11, .r12, .r13, .r14, .r15]

    /// The host register of BPF register `r`; nil for r10 (and anything above), kept in the block.
    func host(_ r: UInt8) -> X86Reg? { r < 10 ? Self.hostRegisters[Int(r)] : nil }

    /// `dst = r`.
    mutating func loadRegister(_ dst: X86Reg, _ r: UInt8) {
        if let h = host(r) { a.move(dst, h) } else { a.load(dst, JITState.register(r)) }
    }

    /// `r = src`.
    mutating func storeRegister(_ r: UInt8, _ src: X86Reg) {
        if let h = host(r) { a.move(h, src) } else { a.store(JITState.register(r), src) }
    }

    /// r0-r9 into the state block, for Swift to read.
    mutating func spillRegisters() {
        for (r, h) in Self.hostRegisters.enumerated() { a.store(JITState.register(UInt8(r)), h) }
    }

    /// r0-r9 from the state block, after Swift may have changed them.
    mutating func reloadRegisters() {
        for (r, h) in Self.hostRegisters.enumerated() { a.load(h, JITState.register(UInt8(r))) }
    }

    /// An entry from Swift (`state` in rdi): the callee-saved registers pushed, the stack
    /// aligned and kept for the exits, the program's registers and budget loaded.
    private mutating func emitEntrySaves() {
        for r in Self.calleeSaved { a.push(r) }
        a.alu(.sub, .rsp, immediate: 8)
        a.move(.rbx, .rdi)
        a.store(JITState.slot(.savedStackPointer), .rsp)
        reloadRegisters()
        a.load(Self.budget, JITState.slot(.budget))
    }

    /// Emits everything; returns the offset of the body (where tail calls enter).
    private mutating func emitProgram() -> Int {
        emitEntrySaves()
        let body = a.offset
        let targets = PacketSpan.targets(of: ops)
        var i = 0
        while i < ops.count {
            if targets.contains(i) { constants.forgetAll() }
            // Before the label: a jump to a function's first instruction skips its prologue.
            if mayGotoFrameStarts.contains(i) {
                let entry = functionEntries[i] ?? a.newLabel()
                a.bind(entry)
                functionEntries[i] = entry
                enterMayGotoFrame()
            }
            if let span = PacketSpan.find(in: ops, at: i, targets: targets, guess: packetGuess) {
                emit(span)
                i = span.last + 1
                continue
            }
            a.bind(instructionLabels[i])
            emit(ops[i], at: i)
            packetGuess.follow(ops[i])
            constants.follow(ops[i])
            i += 1
        }
        // The verifier lets no path fall off the end; should one, it faults rather than run on.
        a.jump(faultStub(instruction: ops.count - 1, .instructionLimit))
        emitRoutines()
        emitDeferred()
        return body
    }

    private mutating func emitRoutines() {
        a.bind(finalExit)
        a.store(JITState.register(0), Self.hostRegisters[0])
        a.load(.rsp, JITState.slot(.savedStackPointer))
        a.move(.rax, immediate: 0)
        let epilogue = a.newLabel()
        a.jump(epilogue)
        a.bind(faultExit)
        a.load(.rsp, JITState.slot(.savedStackPointer))
        a.move(.rax, immediate: 1)
        a.bind(epilogue)
        a.alu(.add, .rsp, immediate: 8)
        for r in Self.calleeSaved.reversed() { a.pop(r) }
        a.ret()

        // `(state, function address)` from Swift (`JITCallback`): a helper's callback, run
        // from its first instruction in the frame Swift set up, with the entry's saves, so the
        // exits and faults inside it come back here; its exit returns here (depth is above 0).
        a.bind(callbackEntry)
        emitEntrySaves()
        a.call(.rsi)
        a.store(JITState.register(0), Self.hostRegisters[0])
        a.store(JITState.slot(.budget), Self.budget)
        a.move(.rax, immediate: 0)
        a.jump(epilogue)

        // rax kind, rsi address, rdx size, rcx write; the instruction is already in the block.
        a.bind(faultRoutine)
        a.store(JITState.slot(.faultKind), .rax)
        a.store(JITState.slot(.faultAddress), .rsi)
        a.store(JITState.slot(.faultSize), .rdx)
        a.store(JITState.slot(.faultWrite), .rcx)
        a.jump(faultExit)

        // An exit: return to the caller's code, or end the run from the entry frame.
        a.bind(exitSequence)
        a.alu(.cmp, JITState.slot(.depth), immediate: 0)
        a.jump(.equal, finalExit)
        a.ret()

        // `LD_ABS`/`LD_IND` past the packet: the run ends with r0 = 0, as in the kernel.
        a.bind(returnZero)
        a.move(Self.hostRegisters[0], immediate: 0)
        a.jump(finalExit)

        // rax = a new frame's lowest byte: zeroes its 512 bytes with 16-byte stores.
        a.bind(zeroFrame)
        a.zeroVector0()
        for k in stride(from: 0, to: VMLimits.stackPerFrame, by: 16) { a.storeVector0(X86Memory(.rax, Int32(k))) }
        a.ret()

        emitCheckRoutine()
    }

    /// rsi address, rdx size, rcx write, the instruction in the block: returns when the access is
    /// allowed by the context or packet ranges, the program's regions (constants: they are fixed
    /// at load) or, through Swift, the run's memory provider; faults otherwise.
    private mutating func emitCheckRoutine() {
        let allowed = a.newLabel()
        a.bind(checkRoutine)
        emitContextAndPacketChecks(allowed: allowed) { $0.alu(.add, .rax, .rdx) }
        emitGrantCheck(allowed: allowed)
        for region in regions where region.count > 0 {
            let next = a.newLabel()
            if !region.writable {
                a.test(.rcx, .rcx)
                a.jump(.notEqual, next)
            }
            // rax = address - base, then the same two compares as the other ranges.
            a.move(.rax, immediate: region.base)
            a.unary(.neg, .rax, wide: true)
            a.alu(.add, .rax, .rsi)
            a.alu(.cmp, .rax, immediate: Int32(region.count))
            a.jump(.aboveOrEqual, next)
            a.alu(.add, .rax, .rdx)
            a.alu(.cmp, .rax, immediate: Int32(region.count))
            a.jump(.belowOrEqual, allowed)
            a.bind(next)
        }
        // The check reads no BPF register: only the host registers Swift may clobber are kept
        // (rdx, the budget, was saved by the caller), which is cheaper than storing them all.
        a.push(.rsi)
        let clobbered = Self.hostRegisters.filter { [.rdi, .r8, .r9, .r10, .r11].contains($0) }
        for r in clobbered { a.push(r) }
        a.store(JITState.slot(.callStackPointer), .rsp)
        a.alu(.and, .rsp, immediate: -16)
        a.move(.rdi, .rbx)
        a.move(.rax, immediate: JITThunks.checkAddress)
        a.call(.rax)
        a.load(.rsp, JITState.slot(.callStackPointer))
        for r in clobbered.reversed() { a.pop(r) }
        a.pop(.rsi)
        a.test(.rax, .rax)
        a.jump(.equal, faultExit)
        a.bind(allowed)
        a.ret()
    }

    /// Jumps to `outside` unless `[address, address + size)` lies in the range the state block's
    /// `low` and `count` slots hold; rax is clobbered. Unsigned, so an address below the range
    /// wraps far above it.
    mutating func jumpUnlessInside(_ address: X86Reg, low: JITState.Slot, count: JITState.Slot, size: Int32,
                                   outside: X86Assembler.Label) {
        a.move(.rax, address)
        a.alu(.sub, .rax, JITState.slot(low))
        a.alu(.cmp, .rax, JITState.slot(count))
        a.jump(.aboveOrEqual, outside)
        a.alu(.add, .rax, immediate: size)
        a.alu(.cmp, .rax, JITState.slot(count))
        a.jump(.above, outside)
    }

    /// rsi address, rdx size, rcx write: jumps to `allowed` when the access lies in the region
    /// the last helper granted (`JITState.Slot.grantLow`) and is a read or the region writable.
    private mutating func emitGrantCheck(allowed: X86Assembler.Label) {
        let next = a.newLabel()
        a.move(.rax, .rsi)
        a.alu(.sub, .rax, JITState.slot(.grantLow))
        a.alu(.cmp, .rax, JITState.slot(.grantCount))
        a.jump(.aboveOrEqual, next)
        a.alu(.add, .rax, .rdx)
        a.alu(.cmp, .rax, JITState.slot(.grantCount))
        a.jump(.above, next)
        a.test(.rcx, .rcx)
        a.jump(.equal, allowed)
        // Bit 0 writable; bit 1 says the code granted it itself (`DirectMapLookup`).
        a.load(.rax, JITState.slot(.grantWritable))
        a.test(.rax, immediate: 1)
        a.jump(.notEqual, allowed)
        a.bind(next)
    }

    /// rsi address: jumps to `allowed` when `[rsi, rsi + size)` lies in the context or the
    /// packet; `addSize` adds the access size to rax (a register or a constant).
    private mutating func emitContextAndPacketChecks(allowed: X86Assembler.Label, addSize: (inout X86Assembler) -> Void) {
        for (low, count) in [(JITState.Slot.contextLow, JITState.Slot.fastContextCount), (.packetLow, .packetCount)] {
            let next = a.newLabel()
            a.move(.rax, .rsi)
            a.alu(.sub, .rax, JITState.slot(low))
            a.alu(.cmp, .rax, JITState.slot(count))
            a.jump(.aboveOrEqual, next)
            addSize(&a)
            a.alu(.cmp, .rax, JITState.slot(count))
            a.jump(.belowOrEqual, allowed)
            a.bind(next)
        }
    }

    private mutating func emitDeferred() {
        var k = 0
        while k < deferred.count {
            switch deferred[k] {
            case let .fault(label, instruction, kind, size):
                a.bind(label)
                a.move(.rax, immediate: kind.rawValue)
                a.store(JITState.slot(.faultInstruction), immediate: Int32(truncatingIfNeeded: instruction))
                a.move(.rdx, immediate: UInt64(size))
                a.move(.rcx, immediate: 0)
                a.jump(faultRoutine)
            case let .slowCheck(label, back, size, write, instruction, stackInStub):
                // The context and the packet inline too (and the stack, when the inline check
                // was the packet's); then the shared routine.
                a.bind(label)
                if stackInStub {
                    let next = a.newLabel()
                    a.move(.rax, .rsi)
                    a.alu(.sub, .rax, JITState.slot(.stackLow))
                    a.alu(.cmp, .rax, JITState.slot(.stackCount))
                    a.jump(.aboveOrEqual, next)
                    a.alu(.add, .rax, immediate: Int32(size))
                    a.alu(.cmp, .rax, JITState.slot(.stackCount))
                    a.jump(.belowOrEqual, back)
                    a.bind(next)
                }
                emitContextAndPacketChecks(allowed: back) { $0.alu(.add, .rax, immediate: Int32(size)) }
                a.push(Self.budget)
                a.move(.rdx, immediate: UInt64(size))
                a.move(.rcx, immediate: write ? 1 : 0)
                a.store(JITState.slot(.faultInstruction), immediate: Int32(truncatingIfNeeded: instruction))
                a.call(checkRoutine)
                a.pop(Self.budget)
                a.jump(back)
            }
            k += 1
        }
    }

    /// A label that faults with `kind` at `instruction` (rsi holds the address, if any).
    mutating func faultStub(instruction: Int, _ kind: JITState.FaultKind, size: Int = 0) -> X86Assembler.Label {
        let label = a.newLabel()
        deferred.append(.fault(label, instruction: instruction, kind: kind, size: size))
        return label
    }

    /// Calls a C-convention function `(state, rsi, rdx, rcx)` with the registers in the block
    /// and the stack aligned as the ABI wants; reloads the registers and the budget after (the
    /// caller stored the budget before it put an argument in rdx). The result is in rax.
    mutating func callOut(_ function: UInt64) {
        spillRegisters()
        a.store(JITState.slot(.callStackPointer), .rsp)
        a.alu(.and, .rsp, immediate: -16)
        a.move(.rdi, .rbx)
        a.move(.rax, immediate: function)
        a.call(.rax)
        a.load(.rsp, JITState.slot(.callStackPointer))
        reloadRegisters()
        a.load(Self.budget, JITState.slot(.budget))
    }

    /// A span's instructions twice: after one check that the whole range its base reaches lies
    /// in the packet, without their own checks of that base; otherwise each access checked.
    private mutating func emit(_ span: PacketSpan) {
        let ordinary = a.newLabel(), done = a.newLabel()
        a.bind(instructionLabels[span.first])
        loadRegister(.rsi, span.base)
        if span.low != 0 { a.alu(.add, .rsi, immediate: Int32(span.low)) }
        jumpUnlessInside(.rsi, low: .packetLow, count: .packetCount, size: Int32(span.high - span.low), outside: ordinary)
        let guess = packetGuess, known = constants
        checkedSpanBase = span.base
        for k in span.first...span.last {
            if k > span.first { a.bind(instructionLabels[k]) }
            emit(ops[k], at: k)
            packetGuess.follow(ops[k])
            constants.follow(ops[k])
        }
        checkedSpanBase = nil
        a.jump(done)
        a.bind(ordinary)
        packetGuess = guess
        constants = known
        for k in span.first...span.last {
            emit(ops[k], at: k)
            packetGuess.follow(ops[k])
            constants.follow(ops[k])
        }
        a.bind(done)
    }

    /// Where each function's code starts (its prologue when it has one), for `JITCallback`.
    private mutating func functionOffsets() -> [Int: Int] {
        var offsets: [Int: Int] = [:]
        for start in functionStarts {
            if let offset = a.offset(of: functionEntry(Int32(start))) { offsets[start] = offset }
        }
        return offsets
    }

    /// The label of instruction `target`; declines the program when it is out of range.
    mutating func label(of target: Int32) -> X86Assembler.Label {
        guard target >= 0, Int(target) < instructionLabels.count else {
            declined = true
            return finalExit
        }
        return instructionLabels[Int(target)]
    }
}
