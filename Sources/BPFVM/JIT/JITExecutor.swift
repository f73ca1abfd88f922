#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs programs as machine code when they were loaded with it (`VerifierOptions.executor`
/// is `.jit` on x86-64 Linux), on the interpreter otherwise. Same results, same faults.
public struct JITExecutor: ProgramExecutor {
    public init() {}

    public func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64) throws(VMFault) -> UInt64 {
        try Self.run(program, context: context, packet: packet, environment: environment, r2: r2)
    }

    public func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64, scratch: RunScratch) throws(VMFault) -> UInt64 {
        try Self.run(program, context: context, packet: packet, environment: environment, r2: r2, block: scratch.block)
    }

    /// Runs `program` with r1 pointing at `context` and returns r0; see `Interpreter.run`.
    public static func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                           packet: UnsafeMutableRawBufferPointer? = nil,
                           environment: RunEnvironment = RunEnvironment(),
                           r2: UInt64 = 0) throws(VMFault) -> UInt64 {
        let block = ScratchPool.take()
        defer { ScratchPool.give(block) }
        return try run(program, context: context, packet: packet, environment: environment, r2: r2, block: block)
    }

    /// The same on a scratch block the caller owns.
    public static func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                           packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                           r2: UInt64, scratch: RunScratch) throws(VMFault) -> UInt64 {
        try run(program, context: context, packet: packet, environment: environment, r2: r2, block: scratch.block)
    }

    /// The same with the memory in one struct passed by address: a runner that calls once per
    /// program (a tc chain) passed the arguments above partly on the stack, read back in
    /// 16-byte halves of 8-byte stores — a store-forwarding stall at each call.
    public static func run(_ program: VMProgram, _ inputs: RunInputs, environment: RunEnvironment) throws(VMFault) -> UInt64 {
        try run(program, context: inputs.context, packet: inputs.packet, environment: environment, r2: inputs.r2,
                block: inputs.scratch.block)
    }

    @inline(__always)
    static func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64, block: UnsafeMutableRawPointer) throws(VMFault) -> UInt64 {
        guard let enter = program.nativeEntry else {
            return try Interpreter.run(program, context: context, packet: packet, environment: environment, r2: r2,
                                       block: block)
        }
        // The fault comes out through a local: the closure's error type would be erased.
        var fault: VMFault?
        let r0 = withUnsafePointer(to: environment) { borrowed -> UInt64 in
            prepare(block, context: context, environment: borrowed)
            do throws(VMFault) {
                return try enterNative(program, enter, block: block, packet: packet, r2: r2)
            } catch {
                fault = error
                return 0
            }
        }
        if let fault { throw fault }
        return r0
    }

    // MARK: Runs on a prepared block (a chain of programs on one frame)

    /// Sets up `scratch` for runs on `context` with `environment` (`run(_:packet:prepared:)`):
    /// what stays the same from one program to the next (the context, the environment, the
    /// `JITRun`), written once for a chain rather than per program. `environment` must stay
    /// where it is, unchanged, for as long as runs use the block; any other run on the block
    /// (the `run` entry points above) undoes the preparation.
    public static func prepare(_ scratch: RunScratch, context: UnsafeMutableRawBufferPointer,
                               environment: UnsafePointer<RunEnvironment>) {
        prepare(scratch.block, context: context, environment: environment)
    }

    @inline(__always)
    static func prepare(_ block: UnsafeMutableRawPointer, context: UnsafeMutableRawBufferPointer,
                        environment: UnsafePointer<RunEnvironment>) {
        assert(MemoryLayout<JITRun>.size <= (JITState.slots - JITState.runWord) * 8, "the JITRun outgrew its words")
        let raw = block + Scratch.jitStateOffset
        let state = JITStateView(raw)
        let frames = (block + Scratch.stackBytes + Scratch.registerBytes)
            .bindMemory(to: UInt64.self, capacity: Scratch.frameBytes / 8)
        (raw + JITState.runWord * 8).initializeMemory(as: JITRun.self,
                                                      repeating: JITRun(environment: environment, frames: frames),
                                                      count: 1)
        state[.run] = UInt64(UInt(bitPattern: state.runStorage))
        state[.contextLow] = Machine.address(context.baseAddress)
        state[.contextCount] = UInt64(context.count)
        state[.fastContextCount] = environment.pointee.guardsContext ? 0 : UInt64(context.count)
    }

    /// Runs `program` on a block `prepare` set up, with r1 the prepared context, r2 0 and the
    /// packet as it is now: only what one program's run needs afresh is written (registers, its
    /// stack, the budget, the packet), then its code is entered. A program without machine
    /// code runs on the interpreter with the same memory.
    @inline(__always)
    public static func run(_ program: VMProgram, packet: UnsafeMutableRawBufferPointer,
                           prepared scratch: RunScratch) throws(VMFault) -> UInt64 {
        let block = scratch.block
        guard let enter = program.nativeEntry else { return try interpretPrepared(program, packet: packet, block: block) }
        return try enterNative(program, enter, block: block, packet: packet, r2: 0)
    }

    /// The interpreter on a prepared block (a program the JIT declined): off the fast path.
    private static func interpretPrepared(_ program: VMProgram, packet: UnsafeMutableRawBufferPointer,
                                          block: UnsafeMutableRawPointer) throws(VMFault) -> UInt64 {
        let state = JITStateView(block + Scratch.jitStateOffset)
        let context = UnsafeMutableRawBufferPointer(start: Machine.pointer(state[.contextLow]),
                                                    count: Int(state[.contextCount]))
        return try Interpreter.run(program, context: context, packet: packet,
                                   environment: state.run.pointee.environment.pointee, r2: 0, block: block)
    }

    /// Enters `program`'s code on a prepared block. Every slot the code or the thunks read
    /// before writing gets one store (a memset of the whole block was a visible share of a
    /// short run).
    @inline(__always)
    private static func enterNative(_ program: VMProgram, _ enter: NativeCode.Entry, block: UnsafeMutableRawPointer,
                                    packet: UnsafeMutableRawBufferPointer?, r2: UInt64) throws(VMFault) -> UInt64 {
        let stackTop = block + Scratch.stackBytes
        let raw = block + Scratch.jitStateOffset
        let state = JITStateView(raw)
        // Zeroed so a run never sees what an earlier run or the host left behind: only the
        // bytes of the frame the program can reach (`EntryStack`), which is its whole range.
        let stackBytes = program.nativeStackBytes
        if stackBytes > 0 { memset(stackTop - stackBytes, 0, stackBytes) }
        state.setRegister(0, 0)
        state.setRegister(1, state[.contextLow])
        state.setRegister(2, r2)
        for r in 3..<10 { state.setRegister(r, 0) }
        state.setRegister(10, Machine.address(stackTop))
        state[.stackLow] = Machine.address(stackTop) - UInt64(stackBytes)
        state[.stackCount] = UInt64(stackBytes)
        state[.packetLow] = Machine.address(packet?.baseAddress)
        state[.packetCount] = UInt64(packet?.count ?? 0)
        state[.budget] = UInt64(bitPattern: Int64(program.instructionBudget))
        state[.depth] = 0
        state[.faultKind] = 0
        state[.faultInstruction] = 0
        state.closeProbeWindow()
        state.forgetGrant()
        state[.program] = UInt64(UInt(bitPattern: Unmanaged.passUnretained(program).toOpaque()))
        let run = state.runStorage
        run.pointee.tailCalls = 0
        let status = withExtendedLifetime(program) { enter(raw) }
        // Most runs end here: no fault, nothing made on the way (`JITRun.extras`).
        guard status != 0 || run.pointee.extras != nil else { return state.register(0) }
        // The fault is read while the extras (which may hold it) still exist.
        let fault = status == 0 ? nil : state.fault()
        run.pointee.releaseExtras()
        if let fault { throw fault }
        return state.register(0)
    }
}

/// The memory of one run for `JITExecutor.run(_:_:environment:)`.
public struct RunInputs {
    public var context: UnsafeMutableRawBufferPointer
    public var packet: UnsafeMutableRawBufferPointer?
    public var r2: UInt64
    public var scratch: RunScratch

    @inlinable
    public init(context: UnsafeMutableRawBufferPointer, packet: UnsafeMutableRawBufferPointer?, r2: UInt64 = 0,
                scratch: RunScratch) {
        self.context = context
        self.packet = packet
        self.r2 = r2
        self.scratch = scratch
    }
}
