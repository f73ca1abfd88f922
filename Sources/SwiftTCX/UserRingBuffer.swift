import BPFCore
import TCX

/// Produces samples into a USER_RINGBUF map for programs to drain with
/// `bpf_user_ringbuf_drain`, as libbpf's user_ring_buffer does: on the kernel through the
/// map's mmap'd memory, on the embedded engine through the same layout in the map itself.
public final class UserRingBuffer: Sendable {
    public let producer: UserRingBufferProducer

    /// Maps the ring of `map`; EINVAL for a map of another type.
    public init(map: borrowing Map) throws(TCXError) {
        guard let world = map.world as? any UserRingBufferWriting else {
            throw TCXError(.EOPNOTSUPP, "the \(map.world.backendName) backend has no user ring buffers")
        }
        producer = UserRingBufferProducer(memory: try world.openUserRingBuffer(map: map.handle))
    }

    /// Reserves `byteCount` bytes (E2BIG when they never fit, ENOSPC while the ring is full).
    public func reserve(byteCount: Int) throws(TCXError) -> UnsafeMutableRawBufferPointer {
        try producer.reserve(byteCount: byteCount)
    }

    public func submit(_ sample: UnsafeMutableRawBufferPointer) { producer.submit(sample) }
    public func discard(_ sample: UnsafeMutableRawBufferPointer) { producer.discard(sample) }

    /// Reserves, copies and submits one sample.
    public func write(_ bytes: [UInt8]) throws(TCXError) { try producer.write(bytes) }
}
