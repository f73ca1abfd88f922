import BPFCore
import BPFMaps
import BPFVM

/// bpf_map_push_elem, bpf_map_pop_elem and bpf_map_peek_elem on queue and stack maps, and
/// push and peek on bloom filters (pop there is EOPNOTSUPP, as in the kernel).
enum QueueStackHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(87, name: "map_push_elem") { call in
            if bloom(call) { return pushBloom(&call) }
            return push(&call)
        }
        table.register(88, name: "map_pop_elem") { call in
            if bloom(call) { return failed(.EOPNOTSUPP) }
            return take(&call, remove: true)
        }
        table.register(89, name: "map_peek_elem") { call in
            if bloom(call) { return peekBloom(&call) }
            return take(&call, remove: false)
        }
    }

    private static func bloom(_ call: HelperCall) -> Bool {
        MapRegistry.shared.map(call.r1) is BloomFilterMap
    }

    static func pushBloom(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call) as? BloomFilterMap,
              let value = call.memory(at: call.r2, count: map.valueSize, write: false, "pushed value") else { return 0 }
        guard let error = map.push(Array(UnsafeRawBufferPointer(value)), flags: call.r3) else { return 0 }
        return failed(error)
    }

    static func peekBloom(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapHelpers.map(&call) as? BloomFilterMap,
              let value = call.memory(at: call.r2, count: map.valueSize, write: false, "tested value") else { return 0 }
        guard let error = map.test(Array(UnsafeRawBufferPointer(value))) else { return 0 }
        return failed(error)
    }

    private static func queueStack(_ call: inout HelperCall) -> QueueStackMap? {
        guard let map = MapHelpers.map(&call) else { return nil }
        guard let queue = map as? QueueStackMap else {
            call.failure = "map \(map.spec.name) is not a queue or stack"
            return nil
        }
        return queue
    }

    static func push(_ call: inout HelperCall) -> UInt64 {
        guard let map = queueStack(&call),
              let value = call.memory(at: call.r2, count: map.valueSize, write: false, "pushed value") else { return 0 }
        guard let error = map.push(Array(UnsafeRawBufferPointer(value)), flags: call.r3) else { return 0 }
        return failed(error)
    }

    /// Copies the value out; an empty map zeroes the buffer and gives ENOENT, as the kernel does.
    static func take(_ call: inout HelperCall, remove: Bool) -> UInt64 {
        guard let map = queueStack(&call),
              let out = call.memory(at: call.r2, count: map.valueSize, write: true, "value buffer") else { return 0 }
        guard let value = map.take(remove: remove) else {
            out.initializeMemory(as: UInt8.self, repeating: 0)
            return failed(.ENOENT)
        }
        out.copyBytes(from: value.prefix(out.count))
        return 0
    }
}
