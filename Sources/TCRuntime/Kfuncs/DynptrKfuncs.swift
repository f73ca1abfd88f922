import BPFCore
import BPFVM

/// The dynptr kfuncs: skb dynptrs (`bpf_dynptr_from_skb`), slices of any dynptr, and the
/// queries and adjustments of one (kernel/bpf/helpers.c, net/core/filter.c).
///
/// An skb dynptr names the skb, not its bytes: its data word holds the context's address and
/// every access goes to the packet as it is then, so it stays valid when the packet moves.
enum DynptrKfuncs {
    typealias Dynptr = DynptrHelpers.Dynptr
    static let typeSKB: UInt32 = 3

    static func register(_ table: inout KfuncTable) {
        table.register(.dynptrFromSKB, fromSKB)
        table.register(.dynptrSlice) { call in slice(&call, writable: false) }
        table.register(.dynptrSliceReadWrite) { call in slice(&call, writable: true) }
        table.register(.dynptrAdjust, adjust)
        table.register(.dynptrIsNull) { call in
            guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
            return ptr.data == 0 ? 1 : 0
        }
        table.register(.dynptrIsReadOnly) { call in
            guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
            return ptr.data != 0 && ptr.isReadOnly ? 1 : 0
        }
        table.register(.dynptrSize) { call in
            guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
            return ptr.data == 0 ? failed(.EINVAL) : UInt64(ptr.size)
        }
        table.register(.dynptrClone, clone)
    }

    /// Flags must be 0; the dynptr covers the whole packet and is writable (tc may write).
    static func fromSKB(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard call.r2 == 0 else {
            _ = DynptrHelpers.store(&call, call.r3, nil)
            return failed(.EINVAL)
        }
        let size = UInt32(truncatingIfNeeded: run.skb.length) & DynptrHelpers.sizeMask
        _ = DynptrHelpers.store(&call, call.r3, Dynptr(data: run.contextLow, word: size | typeSKB << DynptrHelpers.typeShift, offset: 0))
        return 0
    }

    /// The packet bytes `[offset, offset + length)` of an skb dynptr's range, as they are now;
    /// nil when the packet is shorter (skb_header_pointer's NULL).
    static func packetBytes(_ call: HelperCall, _ ptr: Dynptr, offset: UInt64, length: Int) -> UnsafeMutableRawBufferPointer? {
        let run = TCRun.from(call)
        let start = UInt64(ptr.offset) &+ offset
        guard start <= UInt64(Int32.max), Int(start) + length <= run.skb.length, let base = run.packet.baseAddress else { return nil }
        return UnsafeMutableRawBufferPointer(start: base + Int(start), count: length)
    }

    /// A pointer to `buffer__szk` bytes at `offset`, or NULL: outside the range (or the packet),
    /// a NULL dynptr, or a read-only one for the read-write slice. Packets here are linear, so
    /// an skb slice always points into the packet, never into the buffer.
    static func slice(_ call: inout HelperCall, writable: Bool) -> UInt64 {
        guard let ptr = DynptrHelpers.load(&call, call.r1), ptr.data != 0 else { return 0 }
        if writable, ptr.isReadOnly { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        let length = UInt64(UInt32(truncatingIfNeeded: call.r4))
        guard DynptrHelpers.rangeError(ptr, offset: offset, length: length) == nil else { return 0 }
        if ptr.type == typeSKB {
            guard let bytes = packetBytes(call, ptr, offset: offset, length: Int(length)) else { return 0 }
            return UInt64(UInt(bitPattern: bytes.baseAddress))
        }
        return ptr.data &+ UInt64(ptr.offset) &+ offset
    }

    /// Narrows the range to [start, end) of the current one: ERANGE past its size, EINVAL when reversed.
    static func adjust(_ call: inout HelperCall) -> UInt64 {
        guard var ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
        guard ptr.data != 0 else { return failed(.EINVAL) }
        let start = UInt32(truncatingIfNeeded: call.r2), end = UInt32(truncatingIfNeeded: call.r3)
        if start > ptr.size || end > ptr.size { return failed(.ERANGE) }
        if start > end { return failed(.EINVAL) }
        ptr.offset &+= start
        ptr.word = ptr.word & ~DynptrHelpers.sizeMask | (end - start)
        _ = DynptrHelpers.store(&call, call.r1, ptr)
        return 0
    }

    /// A copy of the dynptr (same bytes, type, range and read-only flag); a NULL one gives a NULL clone and EINVAL.
    static func clone(_ call: inout HelperCall) -> UInt64 {
        guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
        guard ptr.data != 0 else {
            _ = DynptrHelpers.store(&call, call.r2, nil)
            return failed(.EINVAL)
        }
        _ = DynptrHelpers.store(&call, call.r2, ptr)
        return 0
    }
}
