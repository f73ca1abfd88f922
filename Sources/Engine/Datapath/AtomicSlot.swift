import Atomics

/// A 64-bit atomic in a block its owner allocates and frees: read and added to with no retain
/// and no class dispatch (a `ManagedAtomic` read through a device cost both, per frame).
/// Relaxed, unless named otherwise.
struct AtomicSlot: @unchecked Sendable {
    // @unchecked: the memory is only ever touched atomically.
    private let pointer: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>

    /// Slot `index` of `block` (made by `allocateBlock`).
    init(_ block: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>, _ index: Int) {
        pointer = block + index
    }

    /// `count` slots, all 0; the owner frees them with `deallocate()` when it goes.
    static func allocateBlock(_ count: Int) -> UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage> {
        let block = UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>.allocate(capacity: count)
        block.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: count)
        return block
    }

    @inline(__always)
    func wrappingIncrement() {
        UnsafeAtomic<UInt64>(at: pointer).wrappingIncrement(ordering: .relaxed)
    }

    @inline(__always)
    func load() -> UInt64 {
        UnsafeAtomic<UInt64>(at: pointer).load(ordering: .relaxed)
    }

    /// For a value that publishes others (a generation, a flag): acquiring and releasing.
    @inline(__always)
    func loadAcquiring() -> UInt64 {
        UnsafeAtomic<UInt64>(at: pointer).load(ordering: .acquiring)
    }

    @inline(__always)
    func storeReleasing(_ value: UInt64) {
        UnsafeAtomic<UInt64>(at: pointer).store(value, ordering: .releasing)
    }

    @inline(__always)
    func store(_ value: UInt64) {
        UnsafeAtomic<UInt64>(at: pointer).store(value, ordering: .relaxed)
    }
}
