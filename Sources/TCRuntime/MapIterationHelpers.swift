import BPFCore
import BPFMaps
import BPFVM
import Glibc
import Synchronization

/// bpf_for_each_map_elem, bpf_map_lookup_percpu_elem, bpf_spin_lock / bpf_spin_unlock.
enum MapIterationHelpers {
    /// Spins before a lock is declared stuck: a program holding it can only be a run on another
    /// thread, which releases it before it ends (the kernel verifier enforces that).
    static let lockAttempts = 10_000_000

    static func register(_ table: inout HelperTable) {
        table.register(164, name: "for_each_map_elem", forEach)
        table.register(195, name: "map_lookup_percpu_elem", lookupPerCPU)
        table.register(93, name: "spin_lock", lock)
        table.register(94, name: "spin_unlock", unlock)
    }

    static func iterable(_ type: MapType) -> Bool {
        switch type {
        case .array, .percpuArray, .hash, .percpuHash, .lruHash, .lruPercpuHash: true
        default: false
        }
    }

    /// Calls `callback(map, &key, value, ctx)` for each element, in the map's order, until it
    /// returns 1; returns how many calls were made. Keys present when the walk starts are
    /// visited once each, so a callback deleting elements cannot make the walk loop.
    static func forEach(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call) else { return 0 }
        guard iterable(map.type) else {
            call.failure = "for_each_map_elem: map \(map.spec.name) cannot be iterated"
            return 0
        }
        guard call.r4 == 0 else { return failed(.EINVAL) }
        let run = TCRun.from(call)
        let cpu = MapHelpers.cpu(call, map)
        var keys: [[UInt8]] = []
        var previous: [UInt8]? = nil
        for _ in 0..<Int(map.maxEntries) {
            guard let key = try? map.nextKey(after: previous) else { break }
            keys.append(key)
            previous = key
        }
        let keyBlock = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, map.keySize), alignment: 8)
        defer { keyBlock.deallocate() }
        let keyRegion = MemoryRegion(UnsafeMutableRawBufferPointer(rebasing: keyBlock[0..<map.keySize]), writable: false)
        run.grants.append(keyRegion)
        defer { run.grants.removeAll { $0 == keyRegion } }
        var calls: UInt64 = 0
        for key in keys {
            for (i, byte) in key.enumerated() { keyBlock[i] = byte }
            guard let base = keyBlock.baseAddress,
                  let value = map.lookupForProgram(key: UnsafeRawPointer(base), cpu: cpu) else { continue }
            // The value is reachable for the callback only (the verifier keeps the pointer
            // from escaping it), so a walk over a large map leaves no trail of grants.
            let valueRegion = MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: map.valueSize),
                                           writable: map.programWritable)
            let alreadyGranted = run.grants.contains(valueRegion)
            if !alreadyGranted { run.grants.append(valueRegion) }
            let result = call.callFunction(call.r2, call.r1, keyRegion.base, UInt64(UInt(bitPattern: value)), call.r3)
            if !alreadyGranted, let i = run.grants.lastIndex(of: valueRegion) { run.grants.remove(at: i) }
            guard let result else { return 0 }
            calls += 1
            if result != 0 { break }
        }
        return calls
    }

    static func lookupPerCPU(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call), let key = MapHelpers.key(&call, map) else { return 0 }
        let cpu = UInt64(UInt32(truncatingIfNeeded: call.r3))
        guard cpu < UInt64(map.possibleCPUs),
              let value = map.lookupForProgram(key: key, cpu: Int(cpu)) else { return 0 }
        TCRun.from(call).grant(MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: map.valueSize),
                                            writable: map.programWritable))
        return UInt64(UInt(bitPattern: value))
    }

    /// The 4-byte lock word at r1 (inside a map value).
    static func lockWord(_ call: inout HelperCall) -> UnsafeMutableRawPointer? {
        guard call.r1 & 3 == 0, let word = call.memory(at: call.r1, count: 4, write: true, "spin lock") else { return nil }
        return word.baseAddress
    }

    static func lock(_ call: inout HelperCall) -> UInt64 {
        guard let word = lockWord(&call) else { return 0 }
        let cell = word.assumingMemoryBound(to: Atomic<UInt32>.self)
        for attempt in 0..<lockAttempts {
            if cell.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { return 0 }
            if attempt & 1023 == 1023 { sched_yield() }
        }
        call.failure = "spin_lock: the lock is never released"
        return 0
    }

    static func unlock(_ call: inout HelperCall) -> UInt64 {
        guard let word = lockWord(&call) else { return 0 }
        word.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.store(0, ordering: .releasing)
        return 0
    }
}
