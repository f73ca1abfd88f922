import BPFCore
import BPFMaps
import BPFVM

/// bpf_map_push_elem, bpf_map_pop_elem and bpf_map_peek_elem: on queue and stack maps, and push
/// and peek (a membership test) on bloom filters, where pop is EOPNOTSUPP as in the kernel.
enum QueueStackHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(87, name: "map_push_elem", push)
        table.register(88, name: "map_pop_elem") { call in take(&call, remove: true) }
        table.register(89, name: "map_peek_elem") { call in take(&call, remove: false) }
    }

    static func push(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call),
              let value = call.memory(at: call.r2, count: map.valueSize, write: false, "pushed value") else { return 0 }
        let bytes = Array(UnsafeRawBufferPointer(value))
        let error: LinuxErrno?
        switch map {
        case let queue as QueueStackMap: error = queue.push(bytes, flags: call.r3)
        case let bloom as BloomFilterMap: error = bloom.push(bytes, flags: call.r3)
        default: return notAQueue(&call, map)
        }
        return error.map(failed) ?? 0
    }

    /// Copies the value out; an empty map zeroes the buffer and gives ENOENT, as the kernel does.
    /// On a bloom filter, peek tests the buffer's value instead.
    static func take(_ call: inout HelperCall, remove: Bool) -> UInt64 {
        guard let map = MapHelpers.map(&call) else { return 0 }
        if let bloom = map as? BloomFilterMap {
            if remove { return failed(.EOPNOTSUPP) }
            guard let value = call.memory(at: call.r2, count: map.valueSize, write: false, "tested value") else { return 0 }
            return bloom.test(Array(UnsafeRawBufferPointer(value))).map(failed) ?? 0
        }
        guard let queue = map as? QueueStackMap else { return notAQueue(&call, map) }
        guard let out = call.memory(at: call.r2, count: map.valueSize, write: true, "value buffer") else { return 0 }
        guard let value = queue.take(remove: remove) else {
            out.initializeMemory(as: UInt8.self, repeating: 0)
            return failed(.ENOENT)
        }
        out.copyBytes(from: value.prefix(out.count))
        return 0
    }

    private static func notAQueue(_ call: inout HelperCall, _ map: BPFMap) -> UInt64 {
        call.failure = "map \(map.spec.name) is not a queue, stack or bloom filter"
        return 0
    }
}
