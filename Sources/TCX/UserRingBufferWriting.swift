import BPFCore
import Synchronization

/// Worlds whose USER_RINGBUF maps userspace can produce into, as libbpf's user_ring_buffer
/// does: through the map's memory as the kernel lays it out for mmap.
public protocol UserRingBufferWriting: BPFObjectSystem {
    /// Maps the ring of `map` (a USER_RINGBUF; EINVAL otherwise).
    func openUserRingBuffer(map: Handle) throws(TCXError) -> UserRingBufferMemory
}

/// A user ring buffer's memory: the consumer position (read-only), the producer position, and
/// `size` data bytes mapped twice back to back. `unmap` is called once, when the owner goes.
public final class UserRingBufferMemory: @unchecked Sendable {
    public let consumer: UnsafeRawPointer
    public let producer: UnsafeMutableRawPointer
    public let data: UnsafeMutableRawPointer
    public let size: Int
    private let unmap: @Sendable () -> Void

    public init(consumer: UnsafeRawPointer, producer: UnsafeMutableRawPointer, data: UnsafeMutableRawPointer,
                size: Int, unmap: @escaping @Sendable () -> Void) {
        self.consumer = consumer
        self.producer = producer
        self.data = data
        self.size = size
        self.unmap = unmap
    }

    deinit { unmap() }
}

/// The producer side of a user ring buffer, the same on every backend: a record is reserved
/// by writing its header busy and moving the producer position on, then committed (or
/// discarded) by rewriting the header. One producer at a time, as the kernel expects.
public final class UserRingBufferProducer: Sendable {
    public let memory: UserRingBufferMemory
    private let lock = Mutex(())
    static let headerSize = 8
    static let busyBit: UInt32 = 1 << 31
    static let discardBit: UInt32 = 1 << 30

    public init(memory: UserRingBufferMemory) {
        self.memory = memory
    }

    private func atomic64(_ pointer: UnsafeRawPointer) -> UnsafePointer<Atomic<UInt64>> {
        pointer.assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// Where the header of the record at `position` is (the data is mapped twice, so a record
    /// that wraps is contiguous).
    private func header(_ position: UInt64) -> UnsafeMutableRawPointer {
        memory.data + Int(position & UInt64(memory.size - 1))
    }

    /// A record of `byteCount` writable bytes: E2BIG when it could never fit, ENOSPC when the
    /// ring has no room until the program drains it.
    public func reserve(byteCount: Int) throws(TCXError) -> UnsafeMutableRawBufferPointer {
        let total = (UInt64(byteCount) + UInt64(Self.headerSize) + 7) & ~7
        guard byteCount >= 0, byteCount < Int(Self.discardBit), total <= UInt64(memory.size) else {
            throw TCXError(.E2BIG, "a \(byteCount)-byte sample does not fit in a \(memory.size)-byte ring")
        }
        return try lock.withLock { _ throws(TCXError) -> UnsafeMutableRawBufferPointer in
            let consumed = atomic64(memory.consumer).pointee.load(ordering: .acquiring)
            let produced = atomic64(memory.producer).pointee.load(ordering: .relaxed)
            guard produced - consumed + total <= UInt64(memory.size) else {
                throw TCXError(.ENOSPC, "the ring has \(UInt64(memory.size) - (produced - consumed)) bytes free")
            }
            let start = header(produced)
            start.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
            start.assumingMemoryBound(to: Atomic<UInt32>.self).pointee
                .store(UInt32(byteCount) | Self.busyBit, ordering: .releasing)
            atomic64(memory.producer).pointee.store(produced + total, ordering: .releasing)
            return UnsafeMutableRawBufferPointer(start: start + Self.headerSize, count: byteCount)
        }
    }

    /// The program may now take the record `reserve` gave.
    public func submit(_ sample: UnsafeMutableRawBufferPointer) { commit(sample, discard: false) }

    /// The program skips the record `reserve` gave.
    public func discard(_ sample: UnsafeMutableRawBufferPointer) { commit(sample, discard: true) }

    private func commit(_ sample: UnsafeMutableRawBufferPointer, discard: Bool) {
        guard let base = sample.baseAddress else { return }
        let word = (base - Self.headerSize).assumingMemoryBound(to: Atomic<UInt32>.self)
        word.pointee.store(UInt32(sample.count) | (discard ? Self.discardBit : 0), ordering: .releasing)
    }

    /// Reserves, copies `bytes` in and submits.
    public func write(_ bytes: [UInt8]) throws(TCXError) {
        let sample = try reserve(byteCount: bytes.count)
        bytes.withUnsafeBytes { sample.copyMemory(from: $0) }
        submit(sample)
    }

    /// Bytes userspace has produced and the program not yet consumed.
    public var pendingBytes: UInt64 {
        atomic64(memory.producer).pointee.load(ordering: .acquiring)
            - atomic64(memory.consumer).pointee.load(ordering: .acquiring)
    }
}
