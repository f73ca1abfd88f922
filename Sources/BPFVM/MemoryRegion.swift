/// A block of host memory a program may access besides its stack, context and packet:
/// a map value, a global variable section.
///
/// The owner guarantees the memory stays valid as long as any program that received it is loaded.
public struct MemoryRegion: Sendable, Equatable {
    public let base: UInt64
    public let count: Int
    public let writable: Bool

    public init(_ buffer: UnsafeMutableRawBufferPointer, writable: Bool = true) {
        self.base = UInt64(UInt(bitPattern: buffer.baseAddress))
        self.count = buffer.count
        self.writable = writable
    }

    /// True when `[address, address + size)` lies inside and the access kind is allowed.
    @inline(__always)
    public func contains(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
        let delta = address &- base
        return delta < UInt64(count) && UInt64(count) &- delta >= size && (writable || !write)
    }
}
