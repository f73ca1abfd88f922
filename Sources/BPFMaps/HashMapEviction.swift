/// LRU eviction for LRU hash maps.
///
/// The kernel keeps active and inactive lists with reference bits, per CPU or shared. This engine
/// keeps one stamp per element (bumped by program lookups and by updates) and, when the map is full,
/// evicts the oldest of up to `candidates` live elements scanned from a rotating cursor: exact LRU
/// for maps up to that size, an approximation beyond.
extension HashMap {
    static let candidates = 128

    /// Frees one element; the caller holds the write lock and the map is full (so not empty).
    func evictOne() {
        let high = pool.highWater
        var victim: Int32 = -1
        var oldest = UInt64.max
        var seen = 0
        var index = evictCursor % max(high, 1)
        for _ in 0..<high where seen < Self.candidates {
            if live[index] {
                seen += 1
                let s = stamp(Int32(index)).load(ordering: .relaxed)
                if s < oldest {
                    oldest = s
                    victim = Int32(index)
                }
            }
            index = index + 1 == high ? 0 : index + 1
        }
        evictCursor = index
        guard victim >= 0 else { return }
        var previous: Int32 = -1
        var slot = buckets[Int(storedHash(victim)) & bucketMask]
        while slot != victim {
            previous = slot
            slot = next(slot)
        }
        unlink(victim, previous: previous)
        release(victim)
        count -= 1
    }
}
