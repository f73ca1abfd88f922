/// The block JIT code works on during a run, addressed through rbx: the BPF registers (r0-r9
/// while Swift runs; the code keeps them in host registers), the bounds the inline checks compare
/// against, the counters and where a fault is reported.
/// Plain 64-bit words, so machine code and Swift read the same layout.
enum JITState {
    enum Slot: Int32 {
        // r0-r10 occupy slots 0-10; 11-15 are unused.
        case stackLow = 16, stackCount, contextLow, fastContextCount, packetLow, packetCount, contextCount
        /// Instructions left for loop iterations; signed.
        case budget
        /// bpf-to-bpf frames below the entry function.
        case depth
        /// The host stack pointer at entry, restored by the exits.
        case savedStackPointer
        /// The `JITRun` of this run.
        case run
        /// The `VMProgram` whose code is running (unretained: the run keeps it alive).
        case program
        case faultKind, faultInstruction, faultAddress, faultSize, faultWrite
        /// The host stack pointer during a call into Swift (which needs it aligned).
        case callStackPointer
        /// Bytes probe loads read inline (`MemoryRegionProvider.probeWindow`): set by the probe
        /// thunk, cleared at entry and by every other call into Swift and every direct context
        /// store, since those may change what the window shows.
        case probeLow, probeCount
        /// The region the last helper granted (`HelperCall.granted`), checked inline by the
        /// check routine; cleared at entry and before every helper call, which may revoke it.
        case grantLow, grantCount, grantWritable
    }

    /// Words 40-55 hold the run's `JITRun` (`JITStateView.run`), so a chain of programs on
    /// one frame sets it up once (`JITExecutor.prepare`) rather than once per program. It takes
    /// ten (80 bytes) since it keeps the provider's `DirectProbeWindow`; `prepare` asserts the fit.
    static let runWord = 40
    static let slots = 56
    static let bytes = slots * 8

    static func register(_ r: UInt8) -> X86Memory { X86Memory(.rbx, Int32(r) * 8) }
    static func slot(_ s: Slot) -> X86Memory { X86Memory(.rbx, s.rawValue * 8) }

    /// What `faultKind` holds after a faulting run.
    enum FaultKind: UInt64 {
        case none = 0, outOfBounds, misaligned, instructionLimit, callDepth
        /// The fault is in the run's `fault` (a helper's failure, a callback's fault).
        case stored
    }
}

/// Typed access to a state block from Swift.
struct JITStateView {
    let words: UnsafeMutablePointer<UInt64>

    init(_ raw: UnsafeMutableRawPointer) {
        words = raw.assumingMemoryBound(to: UInt64.self)
    }

    subscript(slot: JITState.Slot) -> UInt64 {
        get { words[Int(slot.rawValue)] }
        nonmutating set { words[Int(slot.rawValue)] = newValue }
    }

    func register(_ r: Int) -> UInt64 { words[r] }
    func setRegister(_ r: Int, _ value: UInt64) { words[r] = value }

    /// The run's memory as the interpreter's checks see it, for helpers and the slow path.
    /// Inlined: a struct returned through memory was copied with 16-byte loads of the 8-byte
    /// stores that built it (a store-forwarding stall per helper call).
    @inline(__always)
    func memory(regions: UnsafeBufferPointer<MemoryRegion>, environment: RunEnvironment) -> RunMemory {
        RunMemory(stackLow: self[.stackLow], stackCount: self[.stackCount],
                  contextLow: self[.contextLow], contextCount: self[.contextCount],
                  guardsContext: environment.guardsContext,
                  packetLow: self[.packetLow], packetCount: self[.packetCount],
                  regions: regions, extra: environment.unretainedMemory, direct: environment.directAllows)
    }

    /// The same from what `JITExecutor.prepare` wrote into the block: the provider the
    /// `JITRun` keeps unretained, the context's guard from its fast count. Nothing is read from
    /// the `RunEnvironment`, whose copy (it holds existentials) was a retain, a release and a
    /// copy of a few hundred bytes per helper call.
    @inline(__always)
    func memory(regions: UnsafeBufferPointer<MemoryRegion>) -> RunMemory {
        RunMemory(stackLow: self[.stackLow], stackCount: self[.stackCount],
                  contextLow: self[.contextLow], contextCount: self[.contextCount],
                  guardsContext: self[.fastContextCount] == 0,
                  packetLow: self[.packetLow], packetCount: self[.packetCount],
                  regions: regions, extra: run.pointee.provider, direct: run.pointee.directAllows)
    }

    /// Makes the entry frame's range (`EntryStack`) `bytes` deep when it is shallower, zeroing
    /// what it adds. Only in the entry frame: below it, frames are whole.
    func widenEntryFrame(to bytes: Int) {
        let count = self[.stackCount]
        guard self[.depth] == 0, count < UInt64(bytes) else { return }
        let grow = UInt64(bytes) - count
        let low = self[.stackLow] - grow
        Machine.pointer(low).initializeMemory(as: UInt8.self, repeating: 0, count: Int(grow))
        self[.stackLow] = low
        self[.stackCount] = UInt64(bytes)
    }

    /// Sends every probe load out of line until the probe thunk opens the window again.
    func closeProbeWindow() { self[.probeCount] = 0 }

    /// Forgets the last helper's grant: accesses to it ask the memory provider again.
    func forgetGrant() { self[.grantCount] = 0 }

    /// Checks accesses to `region` inline until the next helper call.
    func remember(_ region: MemoryRegion) {
        self[.grantLow] = region.base
        self[.grantCount] = UInt64(region.count)
        self[.grantWritable] = region.writable ? 1 : 0
    }

    func recordFault(_ kind: JITState.FaultKind, instruction: UInt64, address: UInt64 = 0, size: UInt64 = 0, write: Bool = false) {
        self[.faultKind] = kind.rawValue
        self[.faultInstruction] = instruction
        self[.faultAddress] = address
        self[.faultSize] = size
        self[.faultWrite] = write ? 1 : 0
    }
}
