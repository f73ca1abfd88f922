/// A program's x86-64 machine code, owned by its `VMProgram` and unmapped with it.
final class NativeCode: Sendable {
    typealias Entry = @convention(c) (UnsafeMutableRawPointer) -> UInt64

    private let memory: ExecutableMemory
    private let bodyOffset: Int
    typealias CallbackEntry = @convention(c) (UnsafeMutableRawPointer, UInt64) -> UInt64
    /// The bytes of the entry frame a run zeroes and may reach (`EntryStack`).
    let entryStackBytes: Int
    private let callbackEntryOffset: Int
    /// Where each function's code starts, by its first slot, sorted by slot: searched per
    /// callback call, where a dictionary hashed the slot.
    private let functionOffsets: [(slot: UInt64, offset: Int)]

    init(memory: ExecutableMemory, bodyOffset: Int, entryStackBytes: Int, callbackEntryOffset: Int,
         functionOffsets: [Int: Int]) {
        self.memory = memory
        self.bodyOffset = bodyOffset
        self.entryStackBytes = entryStackBytes
        self.callbackEntryOffset = callbackEntryOffset
        self.functionOffsets = functionOffsets.map { (UInt64($0.key), $0.value) }.sorted { $0.slot < $1.slot }
    }

    /// Runs a function as a helper's callback on a run's state block (`JITCallback`): 0 when it
    /// returned (r0 is in the block), 1 when it faulted. Valid while this object lives.
    var callbackEntry: CallbackEntry { unsafeBitCast(memory.base + callbackEntryOffset, to: CallbackEntry.self) }

    /// The address of the function starting at `slot`, for `callbackEntry`; nil when none does.
    func functionAddress(_ slot: UInt64) -> UInt64? {
        functionOffsets.withUnsafeBufferPointer { offsets in
            // Without a branch on each comparison (a select): a callback's loop asks the same
            // slot each time, and a branching search mispredicted there once per call.
            var base = 0, count = offsets.count
            guard count > 0 else { return nil }
            while count > 1 {
                let half = count / 2
                base = offsets[base + half].slot <= slot ? base + half : base
                count -= half
            }
            guard offsets[base].slot == slot else { return nil }
            return UInt64(UInt(bitPattern: memory.base + offsets[base].offset))
        }
    }

    /// Runs the code on a prepared state block: 0 when the program exited (r0 is in the
    /// block), 1 when it faulted (the block says how). Valid while this object lives.
    var entry: Entry { unsafeBitCast(memory.base, to: Entry.self) }

    /// Where a tail call into this program jumps: past the entry's register saving.
    var bodyAddress: UInt64 { UInt64(UInt(bitPattern: memory.base + bodyOffset)) }
}
