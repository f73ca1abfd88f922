import BPFCore

/// What pruning may ignore at each instruction, worked out once before the exploration: dead
/// registers and slots, and numbers that decide nothing later.
struct PruneFacts {
    /// Registers a later instruction may read (`RegisterLiveness`).
    let live: [UInt16]
    /// Registers whose numbers may still decide something (`ScalarRelevance`).
    let relevant: [UInt16]
    /// Registers whose numbers may still decide a comparison, an address or an argument
    /// (`DecisiveRegisters`): their constants are kept when a loop widens.
    let decisive: [UInt16]
    /// Slots of the current frame a later instruction may read (`StackLiveness`).
    let liveSlots: [UInt64]
    /// Slots of the current frame whose numbers may still decide something (`StackRelevance`).
    let relevantSlots: [UInt64]
    /// Whether a later instruction of the function may reach a stack through another pointer
    /// than r10 (then the callers' frames count whole).
    let indirect: [Bool]
    /// The same stack liveness counting only the instructions reached, before any is.
    let reachedSlots: ReachedStackLiveness

    /// `helperArguments`: the registers a helper call reads, by call, where its prototype says
    /// (the others count as reading r1-r5).
    /// `helperPrototypes`: each helper call's declared arguments, by call (the memory its
    /// helper reads keeps slots live, `StackArgumentSlots`).
    init(_ program: VerifiedProgram, returnsToKernel: Set<Int>, helperArguments: [Int: UInt16] = [:],
         helperPrototypes: [Int: [HelperArgument]] = [:]) {
        let stackPointers = StackPointers.compute(program)
        live = RegisterLiveness.compute(program, helperArguments: helperArguments)
        decisive = DecisiveRegisters.compute(program)
        let frames = FrameValues.compute(program, stackPointers: stackPointers,
                                         writes: StackArgumentSlots.written(helperPrototypes))
        let readers = StackArgumentSlots.compute(program, arguments: helperPrototypes, stackPointers: stackPointers,
                                                 frames: frames)
        (relevant, relevantSlots) = ScalarRelevance.computeWithSlots(program, returnsToKernel: returnsToKernel,
                                                                     stackPointers: stackPointers, frames: frames,
                                                                     memoryReaders: readers)
        let stack = StackLiveness.compute(program, stackPointers: stackPointers, memoryReaders: readers, frames: frames)
        liveSlots = stack.slots
        indirect = stack.indirect
        reachedSlots = ReachedStackLiveness(program, stackPointers: stackPointers, memoryReaders: readers, frames: frames)
    }

    func registers(at index: Int) -> (live: UInt16, relevant: UInt16) {
        guard index >= 0, index < live.count else { return (.max, .max) }
        return (live[index], relevant[index])
    }

    func decisiveRegisters(at index: Int) -> UInt16 {
        guard index >= 0, index < decisive.count else { return .max }
        return decisive[index]
    }

    func slots(at index: Int) -> (live: UInt64, relevant: UInt64) {
        guard index >= 0, index < liveSlots.count else { return (.max, .max) }
        return (liveSlots[index], relevantSlots[index])
    }

    func reachesOtherFrames(at index: Int) -> Bool {
        guard index >= 0, index < indirect.count else { return true }
        return indirect[index]
    }
}
