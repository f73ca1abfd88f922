/// The userspace side of a ring buffer, as libbpf's ring_buffer__consume reads it.
extension RingBufferMap {
    /// Hands each committed record, in order, to `body`, skipping discarded ones, and stops at the
    /// first record still being written. The consumer position advances past every record read.
    /// Returns how many records `body` saw. One consumer at a time; concurrent calls wait.
    @discardableResult
    public func consume(_ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        consuming.withLock { _ in
            var seen = 0
            var position = consumer.load(ordering: .relaxed)
            let produced = producer.load(ordering: .acquiring)
            while position < produced {
                let word = lengthWord(position).load(ordering: .acquiring)
                if word & Self.busyBit != 0 { break }
                let length = Int(word & ~Self.discardBit)
                if word & Self.discardBit == 0 {
                    let start = memory.base + Int(position & mask) + Self.headerSize
                    body(UnsafeRawBufferPointer(start: start, count: length))
                    seen += 1
                }
                position += UInt64((length + Self.headerSize + 7) & ~7)
                consumer.store(position, ordering: .releasing)
            }
            return seen
        }
    }

    /// Every committed record now in the ring, consumed.
    public func drain() -> [[UInt8]] {
        var records: [[UInt8]] = []
        consume { records.append([UInt8]($0)) }
        return records
    }

    /// The raw ring bytes from `position` (wrapping), header included: for tools and tests that
    /// check the record layout.
    public func rawBytes(at position: UInt64, count: Int) -> [UInt8] {
        precondition(count <= size, "a ring holds \(size) bytes")
        return [UInt8](UnsafeRawBufferPointer(start: memory.base + Int(position & mask), count: count))
    }
}
