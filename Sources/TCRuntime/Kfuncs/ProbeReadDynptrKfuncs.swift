import BPFCore
import BPFVM

/// `bpf_probe_read_{kernel,user}{,_str}_dynptr(dptr, off, size, src)` (kernel/trace/bpf_trace.c,
/// Linux 6.16+): a nofault copy (`NofaultCopies`) into `[off, off + size)` of a dynptr.
///
/// Where the dynptr gives a writable slice of that range (a local, ring buffer or linear skb
/// dynptr: every tc dynptr here), the copy goes straight into it and its answer is the
/// kfunc's (the string variants answer the count copied with the NUL). Otherwise the range
/// is checked first (E2BIG, also for a NULL dynptr, whose size is 0), 0 bytes answer 0, and
/// the copy goes through a buffer whose write into the dynptr then fails (EINVAL: a NULL or
/// read-only dynptr), after the copy's own error if it had one.
enum ProbeReadDynptrKfuncs {
    typealias Copy = (HelperCall, UnsafeMutableRawBufferPointer, UInt64) -> Int

    static func register(_ table: inout KfuncTable) {
        table.register(.probeReadKernelDynptr) { call in read(&call, NofaultCopies.kernel) }
        table.register(.probeReadKernelStrDynptr) { call in read(&call, NofaultCopies.kernelString) }
        table.register(.probeReadUserDynptr) { call in read(&call, NofaultCopies.user) }
        table.register(.probeReadUserStrDynptr) { call in read(&call, NofaultCopies.userString) }
    }

    static func read(_ call: inout HelperCall, _ copy: Copy) -> UInt64 {
        guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2)), size = UInt64(UInt32(truncatingIfNeeded: call.r3))
        let source = call.r4
        if let slice = DynptrCopyKfuncs.direct(&call, ptr, offset: offset, length: size, writable: true) {
            return answer(copy(call, slice, source))
        }
        if let error = DynptrHelpers.rangeError(ptr, offset: offset, length: size) { return failed(error) }
        guard size > 0 else { return 0 }
        // In range but no slice: the kernel copies a first chunk (of at most 256 bytes) into a
        // buffer of its own, then fails to write it.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(min(size, 256)), alignment: 8)
        defer { chunk.deallocate() }
        let copied = copy(call, chunk, source)
        return copied < 0 ? answer(copied) : failed(.EINVAL)
    }

    private static func answer(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64(value))
    }
}
