import BPFCore
import BPFVM

/// bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem, and the ring buffer helpers.
enum MapHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(1, name: "map_lookup_elem", lookup)
        table.register(2, name: "map_update_elem", update)
        table.register(3, name: "map_delete_elem", delete)
        table.register(130, name: "ringbuf_output", ringbufOutput)
        table.register(131, name: "ringbuf_reserve", ringbufReserve)
        table.register(132, name: "ringbuf_submit") { call in commit(&call, discard: false) }
        table.register(133, name: "ringbuf_discard") { call in commit(&call, discard: true) }
    }

    /// The map r1 names; a fault when it names none (the kernel verifier would refuse).
    static func map(_ call: inout HelperCall) -> (any TCMap)? {
        guard let map = MapRegistry.shared.map(call.r1) else {
            call.failure = "r1 is not a map"
            return nil
        }
        return map
    }

    static func lookup(_ call: inout HelperCall) -> UInt64 {
        guard let map = map(&call),
              let key = call.memory(at: call.r2, count: Int(map.spec.keySize), write: false, "map key") else { return 0 }
        guard let value = map.lookupForProgram(UnsafeRawBufferPointer(key)) else { return 0 }
        TCRun.from(call).grant(MemoryRegion(value, writable: map.spec.flags & MapFlags.rdonlyProg == 0))
        return UInt64(UInt(bitPattern: value.baseAddress))
    }

    static func update(_ call: inout HelperCall) -> UInt64 {
        guard let map = map(&call),
              let key = call.memory(at: call.r2, count: Int(map.spec.keySize), write: false, "map key"),
              let value = call.memory(at: call.r3, count: Int(map.spec.valueSize), write: false, "map value")
        else { return 0 }
        return UInt64(bitPattern: map.updateFromProgram(UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(value), flags: call.r4))
    }

    static func delete(_ call: inout HelperCall) -> UInt64 {
        guard let map = map(&call),
              let key = call.memory(at: call.r2, count: Int(map.spec.keySize), write: false, "map key") else { return 0 }
        return UInt64(bitPattern: map.deleteFromProgram(UnsafeRawBufferPointer(key)))
    }

    static func ringBuffer(_ call: inout HelperCall) -> (any TCRingBuffer)? {
        guard let map = map(&call) else { return nil }
        guard let ring = map as? any TCRingBuffer else {
            call.failure = "map \(map.spec.name) is not a ring buffer"
            return nil
        }
        return ring
    }

    static let wakeupFlags: UInt64 = 0x3  // BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP

    static func ringbufOutput(_ call: inout HelperCall) -> UInt64 {
        guard let ring = ringBuffer(&call),
              let data = call.memory(at: call.r2, count: Int(min(call.r3, 1 << 32)), write: false, "ringbuf data")
        else { return 0 }
        guard call.r4 & ~wakeupFlags == 0 else { return failed(.EINVAL) }
        return ring.output(UnsafeRawBufferPointer(data)) ? 0 : failed(.EAGAIN)
    }

    static func ringbufReserve(_ call: inout HelperCall) -> UInt64 {
        guard let ring = ringBuffer(&call) else { return 0 }
        guard call.r3 == 0, call.r2 <= UInt64(Int32.max), let record = ring.reserve(Int(call.r2)) else { return 0 }
        let run = TCRun.from(call)
        run.grant(MemoryRegion(record))
        run.reservations.append((UInt64(UInt(bitPattern: record.baseAddress)), ring))
        return UInt64(UInt(bitPattern: record.baseAddress))
    }

    static func commit(_ call: inout HelperCall, discard: Bool) -> UInt64 {
        let run = TCRun.from(call)
        guard let i = run.reservations.firstIndex(where: { $0.address == call.r1 }) else {
            call.failure = "r1 is not a reserved ring buffer record"
            return 0
        }
        let (address, ring) = run.reservations.remove(at: i)
        run.grants.removeAll { $0.base == address }
        ring.commit(UnsafeMutableRawPointer(bitPattern: UInt(address))!, discard: discard)
        return 0
    }
}
