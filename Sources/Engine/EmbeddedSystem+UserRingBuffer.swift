import BPFCore
import BPFMaps
import TCX

/// User ring buffers on the embedded engine: the map's own memory, laid out as the kernel's
/// mmap shows it; the memory keeps the map alive while a producer uses it.
extension EmbeddedSystem: UserRingBufferWriting {
    public func openUserRingBuffer(map handle: Handle) throws(TCXError) -> UserRingBufferMemory {
        let object = try withWorld { world throws(TCXError) in try world.map(at: handle.rawValue, role: "map") }
        guard let ring = object.map as? UserRingBufferMap else {
            throw TCXError(.EINVAL, "\(object.label) is not a user ring buffer")
        }
        return UserRingBufferMemory(consumer: ring.consumerPage, producer: ring.producerPage, data: ring.data,
                                    size: ring.size, unmap: { withExtendedLifetime(ring) {} })
    }
}
