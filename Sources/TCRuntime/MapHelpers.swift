import BPFCore
import BPFMaps
import BPFVM

/// bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem, and the ring buffer helpers
/// (output, reserve, submit, discard, query).
enum MapHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(1, name: "map_lookup_elem", lookup)
        table.markDirectMapLookup(1)  // the JIT repeats `lookup` for `DirectLookups`' maps
        table.register(2, name: "map_update_elem", update)
        table.register(3, name: "map_delete_elem", delete)
        table.register(130, name: "ringbuf_output", ringbufOutput)
        table.register(131, name: "ringbuf_reserve", ringbufReserve)
        table.register(132, name: "ringbuf_submit") { call in commit(&call, discard: false) }
        table.register(133, name: "ringbuf_discard") { call in commit(&call, discard: true) }
        table.register(134, name: "ringbuf_query") { call in
            guard let ring = ringBuffer(&call) else { return 0 }
            return ring.query(call.r2)
        }
    }

    /// The map r1 names; a fault when it names none (the kernel verifier would refuse).
    static func map(_ call: inout HelperCall) -> BPFMap? {
        // The handle read first: a closure naming `call` copied the whole HelperCall into its
        // context (a value-witness copy and destroy per map helper call).
        let handle = call.r1
        if let map = TCRun.borrow(call, { $0.programMaps?.map(handle) }) { return map }
        guard let map = MapRegistry.shared.map(call.r1) else {
            call.failure = "r1 is not a map"
            return nil
        }
        return map
    }

    /// `body` on the map r1 names, or 0 with a fault when it names none. A map of the running
    /// program is borrowed: the program holds it, and a retain and a release per call went
    /// through the map's side table (the registry holds maps weakly), ~150 instructions.
    @inline(__always)
    static func withMap(_ call: inout HelperCall, _ body: (inout HelperCall, BPFMap) -> UInt64) -> UInt64 {
        let handle = call.r1
        if let held = TCRun.borrow(call, { $0.unretainedMap(handle) }) {
            return held._withUnsafeGuaranteedRef { body(&call, $0) }
        }
        guard let map = map(&call) else { return 0 }
        return body(&call, map)
    }

    /// The CPU whose copy per-CPU maps use. Inlined: a call took a copy of the whole `call`.
    @inline(__always)
    static func cpu(_ call: HelperCall, _ map: BPFMap) -> Int {
        let cpu = Int(TCRun.borrowKeepingImage(call) { $0.processorID() }), count = max(1, map.possibleCPUs)
        return cpu < count ? cpu : cpu % count  // a division per map access otherwise
    }

    /// The same for a lookup the JIT does itself (`MapFinder`), from the run's `userData`.
    @inline(__always)
    static func cpu(userData: UnsafeMutableRawPointer?, _ map: BPFMap) -> Int {
        guard let userData else { return 0 }
        let cpu = Int(Unmanaged<TCRunHooks>.fromOpaque(userData)._withUnsafeGuaranteedRef { hooks in
            hooks.reference.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.processorID() }
        })
        let count = max(1, map.possibleCPUs)
        return cpu < count ? cpu : cpu % count
    }

    static func key(_ call: inout HelperCall, _ map: BPFMap) -> UnsafeRawPointer? {
        guard let key = call.memory(at: call.r2, count: map.keySize, write: false, "map key") else { return nil }
        // A zero-size key never happens (map creation refuses it); keep a valid pointer anyway.
        return UnsafeRawPointer(key.baseAddress) ?? UnsafeRawPointer(bitPattern: 1)
    }

    static func lookup(_ call: inout HelperCall) -> UInt64 { withMap(&call, lookup) }

    static func lookup(_ call: inout HelperCall, in map: BPFMap) -> UInt64 {
        guard let key = key(&call, map) else { return 0 }
        if let outer = map as? MapOfMapsMap {
            // The inner map itself, as a map the program passes on to the map helpers; the run
            // keeps it alive, as the kernel's RCU does, should userspace replace it meanwhile.
            guard let inner = outer.innerMap(key: key, cpu: cpu(call, map)) else { return 0 }
            TCRun.from(call).keepAlive.append(inner)
            return MapRegistry.shared.handle(for: inner)
        }
        if let sockets = map as? SocketMap { return SocketMapHelpers.lookup(&call, in: sockets, key: key) }
        guard let value = map.lookupForProgram(key: key, cpu: cpu(call, map)) else { return 0 }
        let region = MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: map.valueSize),
                                  writable: map.programWritable)
        TCRun.borrow(call) { $0.grant(region) }
        call.granted = region
        return UInt64(UInt(bitPattern: value))
    }

    static func update(_ call: inout HelperCall) -> UInt64 { withMap(&call, update) }

    static func update(_ call: inout HelperCall, in map: BPFMap) -> UInt64 {
        guard let key = key(&call, map) else { return 0 }
        if let sockets = map as? SocketMap {
            // r3 is a socket, not a value of the map's value size.
            guard let error = SocketMapHelpers.update(&call, in: sockets, key: key) else { return 0 }
            return failed(error)
        }
        guard let value = call.memory(at: call.r3, count: map.valueSize, write: false, "map value"),
              let valuePointer = UnsafeRawPointer(value.baseAddress) else { return 0 }
        guard let error = map.updateFromProgram(key: key, value: valuePointer, flags: call.r4, cpu: cpu(call, map)) else { return 0 }
        return failed(error)
    }

    static func delete(_ call: inout HelperCall) -> UInt64 { withMap(&call, delete) }

    static func delete(_ call: inout HelperCall, in map: BPFMap) -> UInt64 {
        guard let key = key(&call, map) else { return 0 }
        guard let error = map.deleteFromProgram(key: key, cpu: cpu(call, map)) else { return 0 }
        return failed(error)
    }

    static func ringBuffer(_ call: inout HelperCall) -> RingBufferMap? {
        guard let map = map(&call) else { return nil }
        guard let ring = map as? RingBufferMap else {
            call.failure = "map \(map.spec.name) is not a ring buffer"
            return nil
        }
        return ring
    }

    static func ringbufOutput(_ call: inout HelperCall) -> UInt64 {
        guard let ring = ringBuffer(&call),
              let data = call.memory(at: call.r2, count: Int(min(call.r3, 1 << 32)), write: false, "ringbuf data")
        else { return 0 }
        guard let error = ring.output(UnsafeRawBufferPointer(data), flags: call.r4) else { return 0 }
        return failed(error)
    }

    static func ringbufReserve(_ call: inout HelperCall) -> UInt64 {
        guard let ring = ringBuffer(&call) else { return 0 }
        guard let record = ring.reserve(byteCount: call.r2, flags: call.r3) else { return 0 }
        let run = TCRun.from(call), region = MemoryRegion(UnsafeMutableRawBufferPointer(start: record, count: Int(call.r2)))
        run.grant(region)
        call.granted = region
        run.reservations.append((UInt64(UInt(bitPattern: record)), ring))
        return UInt64(UInt(bitPattern: record))
    }

    static func commit(_ call: inout HelperCall, discard: Bool) -> UInt64 {
        let run = TCRun.from(call)
        guard let i = run.reservations.firstIndex(where: { $0.address == call.r1 }) else {
            call.failure = "r1 is not a reserved ring buffer record"
            return 0
        }
        let (address, ring) = run.reservations.remove(at: i)
        run.grants.removeAll { $0.base == address }
        let record = UnsafeMutableRawPointer(bitPattern: UInt(address))!
        if discard { ring.discard(record) } else { ring.submit(record) }
        return 0
    }
}
