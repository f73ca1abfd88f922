import BPFCore

/// A verified program, compiled once into the interpreter's form. Immutable, so any number of
/// threads may run it at the same time.
public final class VMProgram: @unchecked Sendable {
    // @unchecked: `ops`, `regionStorage` and `inlinedLoopCalls` are written only in init and
    // freed in deinit.
    let ops: UnsafeMutableBufferPointer<ExecOp>
    let regionStorage: UnsafeMutableBufferPointer<MemoryRegion>
    let helpers: HelperTable
    /// Instructions a run may charge to loop iterations: `VMLimits.provenBudget` when the path
    /// analysis proved the program ends, as the kernel's verifier does; the options' budget else.
    let instructionBudget: Int
    /// `VerifierOptions.mayGotoSliceInstructions`.
    let mayGotoSlice: Int
    /// Slots where a function starts: the only places a helper may call back into.
    let functionStarts: Set<Int>
    /// The program as x86-64 machine code, when it was loaded for the JIT and could be compiled.
    let native: NativeCode?
    /// `native`'s entry, kept apart so a run reaches it without retaining the code object
    /// (the program owns it for as long as the program lives).
    let nativeEntry: NativeCode.Entry?
    /// `native`, for a helper's callback to read without a retain (the program owns the code
    /// for as long as it lives, and a running program is held by its run).
    /// (A computed view of `native` retained and released it around each read.)
    let unretainedNative: Unmanaged<NativeCode>?
    /// `native`'s `entryStackBytes` (512 without native code), read per run without the object.
    let nativeStackBytes: Int
    /// Where `JITChain` reads what it needs to run this program as a step of a chain (a
    /// `ChainStep`); nil when the program has no machine code or its code does what a chain
    /// step may not (`ChainStep.fits`). A stored `let`: read per program of a frame's chain.
    public let chainStep: UnsafeRawPointer?
    /// Maps the machine code looks keys up in itself (`DirectMapLookup`); held so the maps and
    /// finders the code names live as long as it.
    let directLookups: [DirectMapLookup]
    /// The program as loaded.
    public let instructions: [Instruction]
    /// What the verifier's path analysis did (nil where it does not run: no program-type rules).
    public let pathStatistics: PathStatistics?
    /// The bpf_loop calls the kernel would inline, by instruction (`LoopInlining`): a few at
    /// most, so a list (a set hashed the instruction at every bpf_loop call). Not an array: a
    /// helper reading an array through the unretained program retained and released its
    /// buffer per bpf_loop call (~40 instructions, more than the search).
    @usableFromInline let inlinedLoopCalls: UnsafeMutableBufferPointer<Int>
    /// The exception callback's first slot: `bpf_throw` runs it with the cookie (nil: the
    /// program returns the cookie).
    public let exceptionCallback: Int?
    /// Memory the program's map references open up.
    public var regions: UnsafeBufferPointer<MemoryRegion> { UnsafeBufferPointer(regionStorage) }

    /// Verifies and compiles raw bytecode: 8 bytes per instruction, little-endian.
    public convenience init(bytes: [UInt8], options: VerifierOptions = VerifierOptions()) throws(VMError) {
        guard let instructions = Instruction.decode(bytes) else {
            throw VMError(instruction: nil, "program length \(bytes.count) is not a multiple of 8")
        }
        try self.init(instructions: instructions, options: options)
    }

    public init(instructions: [Instruction], options: VerifierOptions = VerifierOptions()) throws(VMError) {
        let verified = try Verifier.verify(instructions, options: options)
        let compiled = ProgramCompiler.compile(verified, options: options)
        ops = .allocate(capacity: compiled.count)
        _ = ops.initialize(from: compiled)
        regionStorage = .allocate(capacity: verified.regions.count)
        _ = regionStorage.initialize(from: verified.regions)
        helpers = options.helpers
        mayGotoSlice = max(options.mayGotoSliceInstructions, 1)
        instructionBudget = Self.budget(proven: verified.pathStatistics?.complete, options: options, slice: mayGotoSlice)
        functionStarts = Set(verified.functionStarts)
        self.instructions = instructions
        pathStatistics = verified.pathStatistics
        inlinedLoopCalls = .allocate(capacity: verified.inlinedLoopCalls.count)
        _ = inlinedLoopCalls.initialize(from: verified.inlinedLoopCalls.sorted())
        exceptionCallback = verified.exceptionCallback
        // Only when the program's lookup helper is the one the resolver's lookups repeat.
        directLookups = options.helpers.directMapLookupID == 1 ? verified.directLookups.filter(\.fitsImmediates) : []
        native = options.executor == .jit && ExecutorKind.jitAvailable
            ? JITCompiler.compile(UnsafeBufferPointer(ops), regions: UnsafeBufferPointer(regionStorage),
                                  directLookups: directLookups, mayGotoSlice: mayGotoSlice,
                                  inlinedLoops: Self.loopsForTheJIT(verified, helpers: options.helpers),
                                  functionStarts: verified.functionStarts) : nil
        nativeEntry = native?.entry
        unretainedNative = native.map { Unmanaged.passUnretained($0) }
        nativeStackBytes = native?.entryStackBytes ?? VMLimits.stackPerFrame
        let step: UnsafeMutablePointer<ChainStep>? = native != nil && ChainStep.fits(UnsafeBufferPointer(ops))
            ? .allocate(capacity: 1) : nil
        chainStep = step.map { UnsafeRawPointer($0) }
        if let step, let native {
            step.initialize(to: ChainStep(
                entry: UInt64(UInt(bitPattern: unsafeBitCast(native.entry, to: UnsafeRawPointer.self))),
                stackBytes: UInt64(nativeStackBytes), budget: UInt64(bitPattern: Int64(instructionBudget)),
                program: UInt64(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()))))
        }
    }

    /// The run budget: none when the path analysis proved the program ends (as the kernel's
    /// verifier does), `VMLimits.gaveUpBudgetSlices` may_goto slices when it gave up on a typed
    /// program, the options' budget when it did not run (no program-type rules).
    private static func budget(proven: Bool?, options: VerifierOptions, slice: Int) -> Int {
        switch proven {
        case true?: return VMLimits.provenBudget
        case false?:
            let slices = slice.multipliedReportingOverflow(by: VMLimits.gaveUpBudgetSlices)
            return max(options.maxExecutedInstructions, slices.overflow ? Int.max : slices.partialValue)
        case nil: return options.maxExecutedInstructions
        }
    }

    /// The inlined bpf_loop calls the JIT runs as the kernel's loop: only when helper 181 is the
    /// runtime's bpf_loop, whose answers the loop repeats (a table of one's own answers its own way).
    private static func loopsForTheJIT(_ verified: VerifiedProgram, helpers: HelperTable) -> Set<Int> {
        helpers.name(of: 181) == "loop" ? verified.inlinedLoopCalls : []
    }

    /// Whether the JIT compiled this program (`JITExecutor` then runs it as machine code).
    public var isCompiled: Bool { native != nil }

    deinit {
        ops.deallocate()
        regionStorage.deallocate()
        inlinedLoopCalls.deallocate()
        chainStep?.deallocate()
    }

    /// Instruction slots, `lddw` counting two.
    public var count: Int { instructions.count }
}
