#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Atomics
import BPFCore

/// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
///
/// Elements live in a `SlotPool` (stable addresses, reused after delete, like the kernel's
/// preallocated elements) chained from a bucket array. One reader-writer lock guards the chains:
/// lookups share it, updates and deletes take it alone. As in the kernel, replacing the value of a
/// key that exists links a fresh element and frees the old one (readers see the old or the new
/// value, never a mix); per-CPU maps update in place instead.
///
/// Element layout: next slot (Int32), key hash (UInt32), LRU stamp (UInt64), key, value copies.
public final class HashMap: BPFMap, @unchecked Sendable {
    public let isPerCPU: Bool
    public let isLRU: Bool
    let keyStride: Int
    let valueStride: Int
    let copies: Int
    let valueOffset: Int
    let pool: SlotPool
    let buckets: UnsafeMutablePointer<Int32>
    let bucketMask: Int
    let lock = ReadWriteLock()
    // Changed only under `lock`, which makes each access exclusive: the run-time exclusivity
    // check cost three calls per update from a program.
    @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) var live: [Bool] = []
    @exclusivity(unchecked) var evictCursor = 0
    let clock = ManagedAtomic<UInt64>(1)

    static let keyOffset = 16
    static let maxBuckets = 1 << 20

    init(spec: MapSpec, possibleCPUs: Int) {
        isPerCPU = spec.type == .percpuHash || spec.type == .lruPercpuHash
        isLRU = spec.type == .lruHash || spec.type == .lruPercpuHash
        keyStride = roundUp8(Int(spec.keySize))
        valueStride = roundUp8(Int(spec.valueSize))
        copies = isPerCPU ? possibleCPUs : 1
        valueOffset = Self.keyOffset + keyStride
        // One spare element lets a full map replace a value by linking a fresh element first.
        pool = SlotPool(slotSize: valueOffset + valueStride * copies, capacity: Int(spec.maxEntries) + 1)
        var n = 1
        while n < Int(spec.maxEntries), n < Self.maxBuckets { n <<= 1 }
        buckets = .allocate(capacity: n)
        buckets.initialize(repeating: -1, count: n)
        bucketMask = n - 1
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    deinit {
        // The map is freed: what its values' kptr fields and lists hold is dropped, as the kernel does.
        if !spec.kptrFields.isEmpty || !spec.graphRoots.isEmpty {
            for slot in live.indices where live[slot] { releaseFields(of: valueArea(Int32(slot))) }
        }
        buckets.deallocate()
    }

    public override var userValueSize: Int { isPerCPU ? valueStride * possibleCPUs : valueSize }

    /// Keys in the map now.
    public var entryCount: Int { lock.read { count } }

    // MARK: element fields

    @inline(__always) func next(_ slot: Int32) -> Int32 { pool.address(slot).load(as: Int32.self) }
    @inline(__always) func setNext(_ slot: Int32, _ value: Int32) { pool.address(slot).storeBytes(of: value, as: Int32.self) }
    @inline(__always) func storedHash(_ slot: Int32) -> UInt32 { pool.address(slot).load(fromByteOffset: 4, as: UInt32.self) }
    @inline(__always) func keyAddress(_ slot: Int32) -> UnsafeMutableRawPointer { pool.address(slot) + Self.keyOffset }
    @inline(__always) func valueArea(_ slot: Int32) -> UnsafeMutableRawPointer { pool.address(slot) + valueOffset }

    /// Recency for LRU eviction; programs' lookups write it concurrently, hence atomic.
    @inline(__always) func stamp(_ slot: Int32) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: (pool.address(slot) + 8).assumingMemoryBound(to: UInt64.AtomicRepresentation.self))
    }

    @inline(__always) func touch(_ slot: Int32) {
        guard isLRU else { return }
        stamp(slot).store(clock.loadThenWrappingIncrement(ordering: .relaxed), ordering: .relaxed)
    }

    // MARK: chains (callers hold the lock)

    /// The element holding `key` and the element before it in the chain (-1 at the head).
    func find(_ key: UnsafeRawPointer, _ hash: UInt32) -> (slot: Int32, previous: Int32)? {
        var previous: Int32 = -1
        var slot = buckets[Int(hash) & bucketMask]
        while slot >= 0 {
            if storedHash(slot) == hash, memcmp(keyAddress(slot), key, keySize) == 0 { return (slot, previous) }
            previous = slot
            slot = next(slot)
        }
        return nil
    }

    func unlink(_ slot: Int32, previous: Int32) {
        if previous >= 0 {
            setNext(previous, next(slot))
        } else {
            buckets[Int(storedHash(slot)) & bucketMask] = next(slot)
        }
    }

    func release(_ slot: Int32) {
        releaseFields(of: valueArea(slot))
        live[Int(slot)] = false
        pool.give(slot)
    }

    // MARK: update and delete

    /// The kernel's order: bad flags, then NOEXIST/EXIST against the key, then room.
    /// `cpu` nil is userspace: every per-CPU copy from `value`, packed at the 8-byte stride.
    func store(_ key: UnsafeRawPointer, _ value: UnsafeRawPointer, flags: UInt64, cpu: Int?) -> LinuxErrno? {
        let mode = flags & ~MapUpdateFlags.lock
        guard mode <= MapUpdateFlags.exist, flags & MapUpdateFlags.lock == 0 else { return .EINVAL }
        if let cpu, cpu < 0 || cpu >= possibleCPUs { return .EINVAL }
        let hash = hashKey(key, keySize)
        return lock.write { () -> LinuxErrno? in
            let old = find(key, hash)
            if old != nil, mode == MapUpdateFlags.noExist { return .EEXIST }
            if old == nil, mode == MapUpdateFlags.exist { return .ENOENT }
            if let old, isPerCPU {
                writeValue(old.slot, value, cpu: cpu, fresh: false)
                touch(old.slot)
                return nil
            }
            if old == nil, count >= Int(maxEntries) {
                guard isLRU else { return .E2BIG }
                evictOne()
            }
            guard let slot = pool.take() else { return .ENOMEM }
            if Int(slot) >= live.count { live.append(false) }
            live[Int(slot)] = true
            pool.address(slot).storeBytes(of: hash, toByteOffset: 4, as: UInt32.self)
            keyAddress(slot).copyMemory(from: key, byteCount: keySize)
            writeValue(slot, value, cpu: cpu, fresh: true)
            if let old {
                unlink(old.slot, previous: old.previous)
                release(old.slot)
            } else {
                count += 1
            }
            let bucket = Int(hash) & bucketMask
            setNext(slot, buckets[bucket])
            buckets[bucket] = slot
            touch(slot)
            return nil
        }
    }

    private func writeValue(_ slot: Int32, _ value: UnsafeRawPointer, cpu: Int?, fresh: Bool) {
        let area = valueArea(slot)
        if fresh { area.initializeMemory(as: UInt8.self, repeating: 0, count: valueStride * copies) }
        if let cpu {
            (area + (isPerCPU ? cpu * valueStride : 0)).copyMemory(from: value, byteCount: valueSize)
        } else {
            // Per-CPU values are written whole, padding included, as the kernel does.
            let count = isPerCPU ? valueStride : valueSize
            for c in 0..<copies { (area + c * valueStride).copyMemory(from: value + c * valueStride, byteCount: count) }
        }
    }

    func remove(_ key: UnsafeRawPointer) -> LinuxErrno? {
        let hash = hashKey(key, keySize)
        return lock.write { () -> LinuxErrno? in
            guard let found = find(key, hash) else { return .ENOENT }
            unlink(found.slot, previous: found.previous)
            release(found.slot)
            count -= 1
            return nil
        }
    }

    // MARK: userspace (HashMapUserspace.swift)

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] { try userLookup(key) }
    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try userUpdate(key, value, flags: flags)
    }
    override func deleteElement(_ key: [UInt8]) throws(MapError) { try userDelete(key) }
    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] { try userNextKey(key) }

    // MARK: program

    public override func lookupForProgram(key: UnsafeRawPointer, cpu: Int) -> UnsafeMutableRawPointer? {
        guard cpu >= 0, cpu < possibleCPUs else { return nil }
        let hash = hashKey(key, keySize)
        return lock.read { () -> UnsafeMutableRawPointer? in
            guard let found = find(key, hash) else { return nil }
            touch(found.slot)
            return valueArea(found.slot) + (isPerCPU ? cpu * valueStride : 0)
        }
    }

    public override func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        store(key, value, flags: flags, cpu: cpu)
    }

    public override func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? { remove(key) }
}
