/// The Swift side of one JIT run: what helpers, tail calls and faults need besides the state
/// block. Lives in the state block (words `JITState.runWord`...), which points at it; plain
/// data (nothing retained), so it is written there without being destroyed.
struct JITRun {
    /// The caller's environment, borrowed for the run (a copy would retain what it holds).
    let environment: UnsafePointer<RunEnvironment>
    /// The environment's memory provider, unretained: `environment` holds it for the run, and a
    /// retain per checked access would cost more than the check.
    unowned(unsafe) let provider: (any MemoryRegionProvider)?
    /// The provider's `allows` callable without a retain, when it has one (`DirectAllows`).
    let directAllows: DirectAllows?
    /// The provider's `probeWindow` callable without a retain, when it has one.
    let directProbeWindow: DirectProbeWindow?
    /// Frame records for callbacks, which run on the interpreter.
    let frames: UnsafeMutablePointer<UInt64>
    var tailCalls = 0
    /// What only some runs hold (a fault not in words), made on first use and
    /// released by the executor: so a run holds nothing that needs destroying, and most runs
    /// (no tail call, no fault) end without a value-witness destroy or a release.
    var extras: Unmanaged<JITRunExtras>?

    /// The run's extras, made on first use.
    mutating func takeExtras() -> JITRunExtras {
        if let extras { return extras.takeUnretainedValue() }
        let made = JITRunExtras()
        extras = Unmanaged.passRetained(made)
        return made
    }

    /// Releases the extras (the run has ended).
    mutating func releaseExtras() {
        extras?.release()
        extras = nil
    }

    init(environment: UnsafePointer<RunEnvironment>, frames: UnsafeMutablePointer<UInt64>) {
        self.environment = environment
        provider = environment.pointee.unretainedMemory
        directAllows = environment.pointee.directAllows
        directProbeWindow = environment.pointee.directProbeWindow
        self.frames = frames
    }
}

/// The part of a `JITRun` that holds references.
final class JITRunExtras {
    /// A fault the machine code cannot describe in words (a helper's, a callback's).
    var fault: VMFault?
}

extension JITStateView {
    /// Where the block keeps its `JITRun`.
    var runStorage: UnsafeMutablePointer<JITRun> {
        UnsafeMutableRawPointer(words + JITState.runWord).assumingMemoryBound(to: JITRun.self)
    }

    var run: UnsafeMutablePointer<JITRun> {
        UnsafeMutablePointer(bitPattern: UInt(self[.run])).unsafelyUnwrapped
    }

    /// The program whose code is running, unretained.
    var programReference: Unmanaged<VMProgram> {
        Unmanaged<VMProgram>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(self[.program])).unsafelyUnwrapped)
    }

    /// The program whose code is running.
    var program: VMProgram {
        Unmanaged<VMProgram>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(self[.program])).unsafelyUnwrapped)
            .takeUnretainedValue()
    }

    func store(_ fault: VMFault) {
        run.pointee.takeExtras().fault = fault
        self[.faultKind] = JITState.FaultKind.stored.rawValue
    }

    /// The fault a run that returned status 1 ended with.
    func fault() -> VMFault {
        let instruction = Int(truncatingIfNeeded: self[.faultInstruction])
        switch JITState.FaultKind(rawValue: self[.faultKind]) {
        case .outOfBounds:
            return VMFault(instruction: instruction, kind: .outOfBounds(address: self[.faultAddress], size: Int(self[.faultSize]),
                                                                         write: self[.faultWrite] != 0))
        case .misaligned:
            return VMFault(instruction: instruction, kind: .misaligned(address: self[.faultAddress], size: Int(self[.faultSize])))
        case .callDepth:
            return VMFault(instruction: instruction, kind: .callDepth)
        case .stored:
            if let fault = run.pointee.extras?.takeUnretainedValue().fault { return fault }
            return VMFault(instruction: instruction, kind: .instructionLimit)
        case .instructionLimit, .some(.none), nil:
            return VMFault(instruction: instruction, kind: .instructionLimit)
        }
    }
}
