import Atomics
import BPFCore
import Synchronization

/// BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer ring of variable-length records.
///
/// Record layout as in the kernel: an 8-byte header (u32 length whose bit 31 marks a record still
/// being written and bit 30 a discarded one, then a u32 page offset), the data, padding to 8
/// bytes. Positions only grow; a position's byte is at `position & (size - 1)`. Producers reserve
/// under a lock and commit by flipping the header bits atomically, so records commit out of order
/// while the consumer stops at the first busy one.
public final class RingBufferMap: BPFMap, @unchecked Sendable {
    public static let headerSize = 8
    public static let busyBit: UInt32 = 1 << 31
    public static let discardBit: UInt32 = 1 << 30
    /// bpf_ringbuf_query flags.
    public enum Query {
        public static let availableData: UInt64 = 0
        public static let ringSize: UInt64 = 1
        public static let consumerPosition: UInt64 = 2
        public static let producerPosition: UInt64 = 3
    }
    /// BPF_RB_NO_WAKEUP and BPF_RB_FORCE_WAKEUP: accepted, meaningless without a poller.
    public static let wakeupFlags: UInt64 = 0x3
    /// The kernel's data pages start after three metadata pages; the header's page offset counts them.
    static let metadataPages: UInt64 = 3

    /// Data bytes in the ring (max_entries).
    public let size: Int
    let mask: UInt64
    let memory: MirroredMemory
    let producer = ManagedAtomic<UInt64>(0)
    let consumer = ManagedAtomic<UInt64>(0)
    /// Guards reservation; holds the position up to which every record has been committed.
    let pending = Mutex<UInt64>(0)
    let consuming = Mutex<Void>(())

    init(spec: MapSpec, possibleCPUs: Int) throws(MapError) {
        size = Int(spec.maxEntries)
        mask = UInt64(spec.maxEntries) - 1
        guard let memory = MirroredMemory(size: size) else { throw MapError(.ENOMEM, "cannot map \(size) ring bytes") }
        self.memory = memory
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    public var producerPosition: UInt64 { producer.load(ordering: .acquiring) }
    public var consumerPosition: UInt64 { consumer.load(ordering: .acquiring) }

    /// The header's length word at `position`; shared between producers and the consumer.
    @inline(__always)
    func lengthWord(_ position: UInt64) -> UnsafeAtomic<UInt32> {
        UnsafeAtomic(at: (memory.base + Int(position & mask)).assumingMemoryBound(to: UInt32.AtomicRepresentation.self))
    }

    /// True when `pointer` lies in this ring's data (either mapping): how a submit finds its ring.
    public func contains(_ pointer: UnsafeRawPointer) -> Bool {
        pointer >= UnsafeRawPointer(memory.base) && pointer < UnsafeRawPointer(memory.base + 2 * size)
    }

    // MARK: producer (the program helpers)

    /// bpf_ringbuf_reserve: `byteCount` writable bytes, nil when flags are not 0, the record is too
    /// large or the ring has no room (the unconsumed and uncommitted bytes must stay below the size).
    public func reserve(byteCount: UInt64, flags: UInt64 = 0) -> UnsafeMutableRawPointer? {
        guard flags == 0, byteCount <= MapLimits.ringbufMaxRecord else { return nil }
        let length = (byteCount + UInt64(Self.headerSize) + 7) & ~7
        let consumed = consumer.load(ordering: .acquiring)
        return pending.withLock { pendingPosition -> UnsafeMutableRawPointer? in
            let start = producer.load(ordering: .relaxed)
            // Records committed since the last reservation no longer hold the ring.
            while pendingPosition < start {
                let word = lengthWord(pendingPosition).load(ordering: .acquiring)
                if word & Self.busyBit != 0 { break }
                pendingPosition += (UInt64(word & ~Self.discardBit) + UInt64(Self.headerSize) + 7) & ~7
            }
            let end = start + length
            guard end - consumed <= mask, end - pendingPosition <= mask else { return nil }
            let header = memory.base + Int(start & mask)
            header.storeBytes(of: UInt32(truncatingIfNeeded: (start & mask) >> 12 + Self.metadataPages),
                              toByteOffset: 4, as: UInt32.self)
            lengthWord(start).store(UInt32(byteCount) | Self.busyBit, ordering: .releasing)
            producer.store(end, ordering: .releasing)
            return header + Self.headerSize
        }
    }

    /// bpf_ringbuf_submit: the record becomes visible to the consumer.
    public func submit(_ sample: UnsafeMutableRawPointer, flags: UInt64 = 0) { commit(sample, discard: false) }

    /// bpf_ringbuf_discard: the consumer skips the record.
    public func discard(_ sample: UnsafeMutableRawPointer, flags: UInt64 = 0) { commit(sample, discard: true) }

    private func commit(_ sample: UnsafeMutableRawPointer, discard: Bool) {
        let position = UInt64(sample - Self.headerSize - memory.base)
        let word = lengthWord(position)
        let value = word.load(ordering: .relaxed) & ~Self.busyBit | (discard ? Self.discardBit : 0)
        word.store(value, ordering: .releasing)
    }

    /// bpf_ringbuf_output: nil on success, EINVAL for unknown flags, EAGAIN when the ring is full.
    public func output(_ data: UnsafeRawBufferPointer, flags: UInt64 = 0) -> LinuxErrno? {
        guard flags & ~Self.wakeupFlags == 0 else { return .EINVAL }
        guard let sample = reserve(byteCount: UInt64(data.count)) else { return .EAGAIN }
        if let source = data.baseAddress { sample.copyMemory(from: source, byteCount: data.count) }
        submit(sample, flags: flags)
        return nil
    }

    /// bpf_ringbuf_query; 0 for an unknown flag.
    public func query(_ flag: UInt64) -> UInt64 {
        let consumed = consumer.load(ordering: .acquiring)
        let produced = producer.load(ordering: .acquiring)
        switch flag {
        case Query.availableData: return produced - consumed
        case Query.ringSize: return UInt64(size)
        case Query.consumerPosition: return consumed
        case Query.producerPosition: return produced
        default: return 0
        }
    }

    // Userspace element commands have no meaning for a ring buffer (key and value size are 0).
    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] { throw Self.noElements }
    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) { throw Self.noElements }
    override func deleteElement(_ key: [UInt8]) throws(MapError) { throw Self.noElements }
    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] { throw Self.noElements }
    static let noElements = MapError(.ENOTSUPP, "a ring buffer has no elements")
}
