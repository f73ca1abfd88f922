/// Ids are cyclic 32-bit counters starting at 1: never 0, not reused until they wrap, and
/// consumed even when the object they were reserved for fails to settle.
struct IDAllocator {
    private var next: UInt32 = 1

    mutating func allocate(skipping inUse: (UInt32) -> Bool) -> UInt32 {
        while true {
            let candidate = next
            next = next == UInt32(Int32.max) ? 1 : next + 1
            if candidate != 0 && !inUse(candidate) { return candidate }
        }
    }
}
