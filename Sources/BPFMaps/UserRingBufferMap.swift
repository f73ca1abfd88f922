import Atomics
import BPFCore

/// BPF_MAP_TYPE_USER_RINGBUF: userspace produces, programs drain (`bpf_user_ringbuf_drain`).
///
/// Laid out as the kernel lays it out for mmap: a page with the consumer position (read-only to
/// userspace), a page with the producer position, then the data mapped twice. Records are the
/// ring buffer's: an 8-byte header (u32 length, bit 31 busy, bit 30 discarded; u32 unused),
/// the data, padding to 8 bytes. Userspace writes the headers and the producer position, so
/// the drain checks everything it reads there, as the kernel's does.
public final class UserRingBufferMap: BPFMap, @unchecked Sendable {
    /// Data bytes in the ring (max_entries).
    public let size: Int
    let mask: UInt64
    let positions: PageMemory
    let memory: MirroredMemory
    /// One drain at a time (the kernel's `busy`): a second one answers EBUSY.
    let draining = ManagedAtomic<Bool>(false)
    /// The largest sample a dynptr can describe (DYNPTR_MAX_SIZE).
    static let maxSample: UInt64 = (1 << 24) - 1
    /// bpf_user_ringbuf_drain gives up after this many samples (BPF_MAX_USER_RINGBUF_SAMPLES).
    public static let maxSamplesPerDrain = 128 * 1024

    init(spec: MapSpec, possibleCPUs: Int) throws(MapError) {
        size = Int(spec.maxEntries)
        mask = UInt64(spec.maxEntries) - 1
        guard let memory = MirroredMemory(size: size),
              let positions = PageMemory(byteCount: 2 * MapLimits.pageSize) else {
            throw MapError(.ENOMEM, "cannot map \(size) ring bytes")
        }
        self.memory = memory
        self.positions = positions
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    /// The consumer position's page: userspace may only read it.
    public var consumerPage: UnsafeRawPointer { UnsafeRawPointer(positions.base) }
    /// The producer position's page, which userspace writes.
    public var producerPage: UnsafeMutableRawPointer { positions.base + MapLimits.pageSize }
    /// The data, `size` bytes mapped twice back to back.
    public var data: UnsafeMutableRawPointer { memory.base }

    private var consumer: UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: positions.base.assumingMemoryBound(to: UInt64.AtomicRepresentation.self))
    }
    private var producer: UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: producerPage.assumingMemoryBound(to: UInt64.AtomicRepresentation.self))
    }

    @inline(__always)
    private func lengthWord(_ position: UInt64) -> UnsafeAtomic<UInt32> {
        UnsafeAtomic(at: (memory.base + Int(position & mask)).assumingMemoryBound(to: UInt32.AtomicRepresentation.self))
    }

    /// What the next record holds, as the kernel's peek finds it.
    public enum Peek {
        case sample(UnsafeMutableRawPointer, Int)
        /// Nothing committed (empty, or the next record is still busy).
        case none
        /// A discarded record was skipped.
        case discarded
        case failed(LinuxErrno)
    }

    /// Starts a drain; false when one runs already (EBUSY).
    public func beginDrain() -> Bool {
        draining.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    public func endDrain() { draining.store(false, ordering: .releasing) }

    /// The next record: a misaligned producer position or a record that overruns it EINVAL,
    /// a record larger than the ring or a dynptr E2BIG, in the kernel's order.
    public func peek() -> Peek {
        let produced = producer.load(ordering: .acquiring)
        guard produced % 8 == 0 else { return .failed(.EINVAL) }
        let consumed = consumer.load(ordering: .acquiring)
        guard consumed < produced else { return .none }
        let word = lengthWord(consumed).load(ordering: .acquiring)
        let flags = word & (RingBufferMap.busyBit | RingBufferMap.discardBit)
        let length = UInt64(word & ~flags)
        let total = (length + UInt64(RingBufferMap.headerSize) + 7) & ~7
        guard total <= produced - consumed else { return .failed(.EINVAL) }
        guard total <= UInt64(size), length <= Self.maxSample else { return .failed(.E2BIG) }
        if flags & RingBufferMap.discardBit != 0 {
            consumer.store(consumed + total, ordering: .releasing)
            return .discarded
        }
        if flags & RingBufferMap.busyBit != 0 { return .none }
        return .sample(memory.base + Int((consumed + UInt64(RingBufferMap.headerSize)) & mask), Int(length))
    }

    /// The sample `peek` gave has been consumed.
    public func release(sampleSize: Int) {
        let total = (UInt64(sampleSize) + UInt64(RingBufferMap.headerSize) + 7) & ~7
        consumer.store(consumer.load(ordering: .relaxed) + total, ordering: .releasing)
    }
}
