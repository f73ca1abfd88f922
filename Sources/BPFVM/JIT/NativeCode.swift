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
        var low = 0, high = functionOffsets.count
        while low < high {
            let middle = (low + high) / 2
            if functionOffsets[middle].slot < slot { low = middle + 1 } else { high = middle }
        }
        guard low < functionOffsets.count, functionOffsets[low].slot == slot else { return nil }
        return UInt64(UInt(bitPattern: memory.base + functionOffsets[low].offset))
    }

    /// Runs the code on a prepared state block: 0 when the program exited (r0 is in the
    /// block), 1 when it faulted (the block says how). Valid while this object lives.
    var entry: Entry { unsafeBitCast(memory.base, to: Entry.self) }

    /// Where a tail call into this program jumps: past the entry's register saving.
    var bodyAddress: UInt64 { UInt64(UInt(bitPattern: memory.base + bodyOffset)) }
}
