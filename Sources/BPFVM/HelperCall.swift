/// The arguments and services a helper receives.
public struct HelperCall {
    /// The caller's registers, read where the executor keeps them: a copy of r1-r5 was read
    /// back as 16-byte pairs of 8-byte stores, a store-forwarding stall per call.
    @usableFromInline let registers: UnsafePointer<UInt64>
    @inlinable public var r1: UInt64 { registers[1] }
    @inlinable public var r2: UInt64 { registers[2] }
    @inlinable public var r3: UInt64 { registers[3] }
    @inlinable public var r4: UInt64 { registers[4] }
    @inlinable public var r5: UInt64 { registers[5] }
    /// Checks pointers the program passed before the helper touches them.
    public let memory: RunMemory
    /// The run's environment, borrowed for the call: a copy per call retained what it holds.
    let environmentPointer: UnsafePointer<RunEnvironment>
    public var environment: RunEnvironment { environmentPointer.pointee }
    /// `environment.userData`, read without copying the environment.
    public var userData: UnsafeMutableRawPointer? { environmentPointer.pointee.userData }
    /// Set to end the program with the helper's return value as r0.
    public var exitProgram = false
    /// Set to stop the program with a fault instead of returning. Kept in `reports`, so the
    /// call itself holds nothing to destroy.
    public var failure: String? {
        get { reports?._withUnsafeGuaranteedRef { $0.failure } }
        set { madeReports().failure = newValue }
    }
    /// Set when the helper moved or resized the packet: the program's packet bounds (and the
    /// pointers `contextPacketPointers` loads yield) become these bytes.
    public var packet: UnsafeMutableRawBufferPointer? = nil
    /// Memory the helper granted the program (the map value a lookup returns, a reserved
    /// record): the JIT checks accesses to it inline until the next helper call, rather than
    /// asking the run's memory provider per access. It must be in what the provider allows.
    public var granted: MemoryRegion? = nil
    /// Bytes the helper has just made current for probe loads (`MemoryRegionProvider.probeWindow`,
    /// asked after the call): the JIT opens its probe window on them at once instead of
    /// leaving it closed, so the first probe load after the call is read inline, not asked.
    public var probeWindow: UnsafeRawBufferPointer? = nil
    /// Where the program stands, for calling back into it.
    @usableFromInline let site: CallbackSite?
    /// Whether this is a bpf_loop call the kernel would have replaced by its inline loop.
    /// Inlinable, as `bytes(at:count:write:)`: a helper in another module asking an `inout`
    /// call through a function copied the whole call first (~230 bytes, read back at once).
    @inlinable public var inlinesLoop: Bool {
        guard let site else { return false }
        return site.program.inlinedLoopCalls.contains(site.instruction)
    }
    /// The running program's exception callback (its first slot), which `bpf_throw` runs.
    public var exceptionCallback: Int? { site?.program.exceptionCallback }
    /// A fault inside a callback; the interpreter rethrows it when the helper returns.
    var callbackFault: VMFault? {
        get { reports?._withUnsafeGuaranteedRef { $0.callbackFault } }
        set { madeReports().callbackFault = newValue }
    }
    /// `failure` and `callbackFault`, made when a helper first sets one and released by the
    /// executor (`takeReports`). Out of line: with a `String?` and a `VMFault?` in it, every
    /// call ended in `HelperCall`'s outlined destroy (~30 instructions) though few fail.
    /// A copy of the call shares the reports its original had made.
    private var reports: Unmanaged<HelperReports>? = nil

    /// `registers` (r0-r5 at least) must stay unchanged until the helper returns.
    init(registers: UnsafePointer<UInt64>, memory: RunMemory, environment: UnsafePointer<RunEnvironment>,
         site: CallbackSite? = nil) {
        self.registers = registers
        self.memory = memory
        environmentPointer = environment
        self.site = site
    }

    private mutating func madeReports() -> HelperReports {
        if let reports { return reports.takeUnretainedValue() }
        let made = HelperReports()
        reports = Unmanaged.passRetained(made)
        return made
    }

    /// What the helper reported, handed to the executor once the helper returned: the
    /// executor calls this exactly once per call it built, so the reports are released.
    mutating func takeReports() -> (failure: String?, callbackFault: VMFault?) {
        guard let taken = reports else { return (nil, nil) }
        reports = nil
        let made = taken.takeRetainedValue()
        return (made.failure, made.callbackFault)
    }

    /// The bytes `[address, address + count)` when the program may access them, else nil.
    @inlinable
    public func bytes(at address: UInt64, count: Int, write: Bool) -> UnsafeMutableRawBufferPointer? {
        guard count >= 0, memory.allows(address, size: UInt64(count), write: write),
              let start = UnsafeMutableRawPointer(bitPattern: UInt(address)) else { return nil }
        return UnsafeMutableRawBufferPointer(start: start, count: count)
    }
}

/// A helper call's reports that need destroying (`HelperCall.failure`, `callbackFault`).
final class HelperReports {
    var failure: String? = nil
    var callbackFault: VMFault? = nil
}

/// The calling program's state a callback needs: its code, and the frames in use.
@usableFromInline struct CallbackSite {
    /// Not retained: the run holds the running program until the helper returns.
    @usableFromInline unowned(unsafe) let program: VMProgram
    let frames: UnsafeMutablePointer<UInt64>
    let depth: Int
    @usableFromInline let instruction: Int
    /// The JIT run's state block when the caller is machine code: its callbacks then run as
    /// machine code too (`JITCallback`); nil on the interpreter.
    var jitState: UnsafeMutableRawPointer? = nil
}
