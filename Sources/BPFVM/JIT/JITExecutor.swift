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
        let stackTop = block + Scratch.stackBytes
        let frames = (block + Scratch.stackBytes + Scratch.registerBytes)
            .bindMemory(to: UInt64.self, capacity: Scratch.frameBytes / 8)
        let raw = block + Scratch.jitStateOffset
        let state = JITStateView(raw)
        // Zeroed so a run never sees what an earlier run or the host left behind: only the
        // bytes of the frame the program can reach (`EntryStack`), which is its whole range.
        let stackBytes = program.nativeStackBytes
        if stackBytes > 0 { memset(stackTop - stackBytes, 0, stackBytes) }
        let contextLow = Machine.address(context.baseAddress)
        // Every slot the code or the thunks read before writing, one store each (a memset of
        // the whole block was a visible share of a short run).
        for r in 0..<10 { state.setRegister(r, 0) }
        state.setRegister(1, contextLow)
        state.setRegister(2, r2)
        state.setRegister(10, Machine.address(stackTop))
        state[.stackLow] = Machine.address(stackTop) - UInt64(stackBytes)
        state[.stackCount] = UInt64(stackBytes)
        state[.contextLow] = contextLow
        state[.contextCount] = UInt64(context.count)
        state[.fastContextCount] = environment.guardsContext ? 0 : UInt64(context.count)
        state[.packetLow] = Machine.address(packet?.baseAddress)
        state[.packetCount] = UInt64(packet?.count ?? 0)
        state[.budget] = UInt64(bitPattern: Int64(program.instructionBudget))
        state[.depth] = 0
        state[.faultKind] = 0
        state[.faultInstruction] = 0
        state.closeProbeWindow()
        state.forgetGrant()
        state[.program] = UInt64(UInt(bitPattern: Unmanaged.passUnretained(program).toOpaque()))

        // The fault is read while the run (which may hold it) still exists.
        let fault: VMFault? = withUnsafePointer(to: environment) { borrowed in
            var run = JITRun(environment: borrowed, frames: frames)
            return withUnsafeMutablePointer(to: &run) { pointer in
                state[.run] = UInt64(UInt(bitPattern: pointer))
                let status = withExtendedLifetime(program) { enter(raw) }
                let fault = status == 0 ? nil : state.fault()
                if pointer.pointee.extras != nil { pointer.pointee.releaseExtras() }
                return fault
            }
        }
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
