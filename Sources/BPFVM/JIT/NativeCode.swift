/// A program's x86-64 machine code, owned by its `VMProgram` and unmapped with it.
final class NativeCode: Sendable {
    typealias Entry = @convention(c) (UnsafeMutableRawPointer) -> UInt64

    private let memory: ExecutableMemory
    private let bodyOffset: Int
    /// The bytes of the entry frame a run zeroes and may reach (`EntryStack`).
    let entryStackBytes: Int

    init(memory: ExecutableMemory, bodyOffset: Int, entryStackBytes: Int) {
        self.memory = memory
        self.bodyOffset = bodyOffset
        self.entryStackBytes = entryStackBytes
    }

    /// Runs the code on a prepared state block: 0 when the program exited (r0 is in the
    /// block), 1 when it faulted (the block says how). Valid while this object lives.
    var entry: Entry { unsafeBitCast(memory.base, to: Entry.self) }

    /// Where a tail call into this program jumps: past the entry's register saving.
    var bodyAddress: UInt64 { UInt64(UInt(bitPattern: memory.base + bodyOffset)) }
}
