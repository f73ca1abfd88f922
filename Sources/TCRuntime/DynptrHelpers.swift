import BPFCore
import BPFMaps
import BPFVM

/// The dynptr helpers: local dynptrs over program memory, ring buffer dynptrs, and reads,
/// writes and slices through them.
///
/// A dynptr is 16 bytes on the program's stack: the data address, the size with the type in
/// bits 28-30 and the read-only flag in bit 31, and an offset (the kernel's layout). The
/// program could overwrite those bytes here, so every access through a dynptr is checked
/// again against the memory the program may use: a forged dynptr reaches nothing new.
enum DynptrHelpers {
    static let sizeMask: UInt32 = 0xff_ffff
    static let typeShift: UInt32 = 28
    static let readOnly: UInt32 = 1 << 31
    static let typeLocal: UInt32 = 1, typeRingbuf: UInt32 = 2

    static func register(_ table: inout HelperTable) {
        table.register(197, name: "dynptr_from_mem", fromMemory)
        table.register(198, name: "ringbuf_reserve_dynptr", reserve)
        table.register(199, name: "ringbuf_submit_dynptr") { call in commit(&call, discard: false) }
        table.register(200, name: "ringbuf_discard_dynptr") { call in commit(&call, discard: true) }
        table.register(201, name: "dynptr_read", read)
        table.register(202, name: "dynptr_write", write)
        table.register(203, name: "dynptr_data", data)
    }

    struct Dynptr {
        var data: UInt64
        var word: UInt32
        var offset: UInt32
        var size: UInt32 { word & sizeMask }
        var type: UInt32 { (word >> typeShift) & 7 }
        var isReadOnly: Bool { word & readOnly != 0 }
    }

    static func load(_ call: inout HelperCall, _ address: UInt64) -> Dynptr? {
        guard let block = call.memory(at: address, count: 16, write: false, "dynptr") else { return nil }
        // Unaligned loads: without the verifier r1 may point anywhere in the program's memory
        // (the packet at an odd offset), and an aligned load there traps the process.
        return Dynptr(data: block.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                      word: block.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
                      offset: block.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
    }

    static func store(_ call: inout HelperCall, _ address: UInt64, _ ptr: Dynptr?) -> Bool {
        guard let block = call.memory(at: address, count: 16, write: true, "dynptr") else { return false }
        block.storeBytes(of: ptr?.data ?? 0, toByteOffset: 0, as: UInt64.self)
        block.storeBytes(of: ptr?.word ?? 0, toByteOffset: 8, as: UInt32.self)
        block.storeBytes(of: ptr?.offset ?? 0, toByteOffset: 12, as: UInt32.self)
        return true
    }

    /// E2BIG when `[offset, offset + length)` leaves the dynptr.
    static func rangeError(_ ptr: Dynptr, offset: UInt64, length: UInt64) -> LinuxErrno? {
        let size = UInt64(ptr.size)
        return offset > size || length > size - offset ? .E2BIG : nil
    }

    /// The bytes a dynptr's range names, when the program may access them.
    static func bytes(_ call: inout HelperCall, _ ptr: Dynptr, offset: UInt64, length: Int, write: Bool) -> UnsafeMutableRawBufferPointer? {
        call.memory(at: ptr.data &+ UInt64(ptr.offset) &+ offset, count: length, write: write, "dynptr data")
    }

    static func fromMemory(_ call: inout HelperCall) -> UInt64 {
        let size = UInt32(truncatingIfNeeded: call.r2)
        let error: LinuxErrno? = size > sizeMask ? .E2BIG : call.r3 != 0 ? .EINVAL : nil
        if let error {
            _ = store(&call, call.r4, nil)
            return failed(error)
        }
        guard size == 0 || call.memory(at: call.r1, count: Int(size), write: true, "dynptr memory") != nil else { return 0 }
        _ = store(&call, call.r4, Dynptr(data: call.r1, word: size | typeLocal << typeShift, offset: 0))
        return 0
    }

    static func reserve(_ call: inout HelperCall) -> UInt64 {
        guard let ring = MapHelpers.ringBuffer(&call) else { return 0 }
        let size = UInt32(truncatingIfNeeded: call.r2)
        // Flags first, then the size; a reservation the ring cannot make is EINVAL too.
        let error: LinuxErrno? = call.r3 != 0 ? .EINVAL : size > sizeMask ? .E2BIG : nil
        if error == nil, let record = ring.reserve(byteCount: UInt64(size), flags: 0) {
            let run = TCRun.from(call)
            let address = UInt64(UInt(bitPattern: record))
            run.grant(MemoryRegion(UnsafeMutableRawBufferPointer(start: record, count: Int(size))))
            run.reservations.append((address, ring))
            _ = store(&call, call.r4, Dynptr(data: address, word: size | typeRingbuf << typeShift, offset: 0))
            return 0
        }
        _ = store(&call, call.r4, nil)
        return failed(error ?? .EINVAL)
    }

    static func commit(_ call: inout HelperCall, discard: Bool) -> UInt64 {
        guard let ptr = load(&call, call.r1) else { return 0 }
        guard ptr.data != 0 else { return 0 }
        let run = TCRun.from(call)
        guard ptr.type == typeRingbuf, let i = run.reservations.firstIndex(where: { $0.address == ptr.data }),
              let record = UnsafeMutableRawPointer(bitPattern: UInt(ptr.data)) else {
            call.failure = "r1 is not a ring buffer dynptr"
            return 0
        }
        let (address, ring) = run.reservations.remove(at: i)
        run.grants.removeAll { $0.base == address }
        if discard { ring.discard(record) } else { ring.submit(record) }
        _ = store(&call, call.r1, nil)
        return 0
    }

    static func read(_ call: inout HelperCall) -> UInt64 {
        let length = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let to = call.memory(at: call.r1, count: length, write: true, "dynptr_read buffer"),
              let ptr = load(&call, call.r3) else { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r4))
        guard ptr.data != 0, call.r5 == 0 else { return failed(.EINVAL) }
        if let error = rangeError(ptr, offset: offset, length: UInt64(length)) { return failed(error) }
        if ptr.type == DynptrKfuncs.typeSKB {
            // __bpf_skb_load_bytes: the destination is cleared when the packet is shorter.
            guard let from = DynptrKfuncs.packetBytes(call, ptr, offset: offset, length: length) else {
                to.initializeMemory(as: UInt8.self, repeating: 0)
                return failed(.EFAULT)
            }
            if length > 0, let target = to.baseAddress, let source = from.baseAddress {
                target.copyMemory(from: source, byteCount: length)
            }
            return 0
        }
        guard let from = bytes(&call, ptr, offset: offset, length: length, write: false) else { return 0 }
        if length > 0, let target = to.baseAddress, let source = from.baseAddress {
            target.copyMemory(from: source, byteCount: length)
        }
        return 0
    }

    static func write(_ call: inout HelperCall) -> UInt64 {
        let length = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let ptr = load(&call, call.r1),
              let from = call.memory(at: call.r3, count: length, write: false, "dynptr_write source") else { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        guard ptr.data != 0, !ptr.isReadOnly else { return failed(.EINVAL) }
        if let error = rangeError(ptr, offset: offset, length: UInt64(length)) { return failed(error) }
        if ptr.type == DynptrKfuncs.typeSKB {
            // __bpf_skb_store_bytes, with its flags.
            guard call.r5 & ~(TCFlags.recomputeChecksum | TCFlags.invalidateHash) == 0 else { return failed(.EINVAL) }
            guard let to = DynptrKfuncs.packetBytes(call, ptr, offset: offset, length: length) else { return failed(.EFAULT) }
            if length > 0, let target = to.baseAddress, let source = from.baseAddress {
                target.copyMemory(from: source, byteCount: length)  // overlap allowed: the source may be the packet
            }
            if call.r5 & TCFlags.invalidateHash != 0 {
                let run = TCRun.from(call)
                run.skb.clearHash()
                run.render()
            }
            return 0
        }
        guard call.r5 == 0 else { return failed(.EINVAL) }
        guard let to = bytes(&call, ptr, offset: offset, length: length, write: true) else { return 0 }
        if length > 0, let target = to.baseAddress, let source = from.baseAddress {
            target.copyMemory(from: source, byteCount: length)
        }
        return 0
    }

    /// A pointer into the dynptr's memory, or NULL when the range leaves it.
    static func data(_ call: inout HelperCall) -> UInt64 {
        guard let ptr = load(&call, call.r1) else { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        let length = UInt64(UInt32(truncatingIfNeeded: call.r3))
        // skb (and skb metadata) dynptrs give no direct pointer: they are read through slices.
        guard ptr.data != 0, ptr.type != DynptrKfuncs.typeSKB, ptr.type != SKBMetaKfuncs.type, rangeError(ptr, offset: offset, length: length) == nil, !ptr.isReadOnly,
              let slice = call.bytes(at: ptr.data &+ UInt64(ptr.offset) &+ offset, count: Int(length), write: true)
        else { return 0 }
        return UInt64(UInt(bitPattern: slice.baseAddress))
    }
}
