#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fixed-size element storage handed out by index, like the kernel's preallocated elements: an
/// element's address never changes while the pool lives, and freed elements are reused.
/// Chunks are allocated on first need, so a large max_entries costs nothing until used.
/// Not synchronized: the owning map calls it under its write lock.
final class SlotPool {
    let slotSize: Int
    let capacity: Int
    private let chunkSlots: Int
    private let chunks: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let chunkCount: Int
    // Its map's lock makes every access exclusive: no run-time exclusivity check per slot.
    @exclusivity(unchecked) private var freeSlots: [Int32] = []
    /// Slots ever handed out: 0..<highWater.
    @exclusivity(unchecked) private(set) var highWater = 0

    init(slotSize: Int, capacity: Int) {
        self.slotSize = slotSize
        self.capacity = capacity
        chunkSlots = max(1, min(capacity, 65536 / slotSize))
        chunkCount = (capacity + chunkSlots - 1) / chunkSlots
        chunks = .allocate(capacity: chunkCount)
        chunks.initialize(repeating: nil, count: chunkCount)
    }

    deinit {
        for i in 0..<chunkCount { free(chunks[i]) }
        chunks.deallocate()
    }

    @inline(__always)
    func address(_ slot: Int32) -> UnsafeMutableRawPointer {
        let s = Int(slot)
        return chunks[s / chunkSlots].unsafelyUnwrapped + (s % chunkSlots) * slotSize
    }

    /// A free slot, or nil when all `capacity` are in use or memory ran out.
    func take() -> Int32? {
        if let slot = freeSlots.popLast() { return slot }
        guard highWater < capacity else { return nil }
        let chunk = highWater / chunkSlots
        if chunks[chunk] == nil {
            guard let memory = calloc(chunkSlots, slotSize) else { return nil }
            chunks[chunk] = memory
        }
        highWater += 1
        return Int32(highWater - 1)
    }

    func give(_ slot: Int32) { freeSlots.append(slot) }

    /// The slot handed out that starts at `address`, nil when none does (a chunk at a time).
    func slot(at address: UnsafeRawPointer) -> Int32? {
        let chunkBytes = chunkSlots * slotSize
        for chunk in 0..<chunkCount {
            guard let start = chunks[chunk].map(UnsafeRawPointer.init) else { continue }
            let offset = address - start
            guard offset >= 0, offset < chunkBytes, offset % slotSize == 0 else { continue }
            let slot = chunk * chunkSlots + offset / slotSize
            return slot < highWater ? Int32(slot) : nil
        }
        return nil
    }
}
