import BPFCore

/// Runs programs. Everything a run needs lives in one scratch block (registers, call frames,
/// 8 x 512 bytes of stack), kept per thread (`ScratchPool`), so a run allocates nothing unless
/// it tail-calls.
public struct Interpreter: ProgramExecutor {
    public init() {}

    public func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64) throws(VMFault) -> UInt64 {
        try Self.run(program, context: context, packet: packet, environment: environment, r2: r2)
    }

    /// Runs `program` with r1 pointing at `context` and returns r0.
    ///
    /// - Parameters:
    ///   - packet: the packet bytes, reachable through pointers the environment's helpers hand
    ///     out and through the legacy `LD_ABS`/`LD_IND` loads.
    ///   - r2: the second argument register; the kernel leaves it unset, the conformance suite
    ///     passes the context length.
    /// - Throws: `VMFault` when the program accesses memory it does not own or runs too long.
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

    static func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64, block: UnsafeMutableRawPointer) throws(VMFault) -> UInt64 {
        let scratch = UnsafeMutableRawBufferPointer(start: block, count: Scratch.bytes)
        var machine = Machine(program: program, scratch: scratch, context: context, packet: packet,
                              environment: environment)
        machine.registers[2] = r2
        return try machine.execute()
    }
}

extension Interpreter {
    public func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
                    packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
                    r2: UInt64, scratch: RunScratch) throws(VMFault) -> UInt64 {
        try Self.run(program, context: context, packet: packet, environment: environment, r2: r2, block: scratch.block)
    }
}

/// What a JIT will implement too, so the embedder can pick either.
public protocol ProgramExecutor: Sendable {
    func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
             packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
             r2: UInt64) throws(VMFault) -> UInt64
    /// The same on a scratch block the caller owns (one run at a time on it).
    func run(_ program: VMProgram, context: UnsafeMutableRawBufferPointer,
             packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment,
             r2: UInt64, scratch: RunScratch) throws(VMFault) -> UInt64
}

/// Layout of the per-run scratch block.
enum Scratch {
    static let stackBytes = VMLimits.stackBytes
    static let registerBytes = 16 * 8
    /// Per call frame: return slot, code pointer, r6-r9 (the caller's, saved at a call), then
    /// the frame's own may_goto count and clock stamp (`MayGotoClock`).
    static let frameWords = 8
    /// Where in a frame's words its may_goto count is; the stamp follows.
    static let mayGotoWord = 6
    static let frameBytes = VMLimits.maxRunFrames * frameWords * 8
    /// The JIT's state block (`JITState`), after the frames.
    static let jitStateOffset = stackBytes + registerBytes + frameBytes
    static let bytes = jitStateOffset + JITState.bytes
}
