import BPFCore
import BPFVM

/// `bpf_dynptr_copy` and `bpf_dynptr_memset` (Linux 6.16+): through direct slices when both
/// sides have one, else through the read and write paths with their errors, as the kernel's.
enum DynptrCopyKfuncs {
    typealias Dynptr = DynptrHelpers.Dynptr

    /// Bytes reached through the read or write path, or the errno it answers.
    enum Access {
        case bytes(UnsafeMutableRawBufferPointer)
        case error(LinuxErrno)
    }

    static func register(_ table: inout KfuncTable) {
        table.register(.dynptrCopy, copy)
        table.register(.dynptrMemset, memset)
    }

    /// The bytes a slice (read-only or read-write) would give, or nil where it gives NULL.
    static func direct(_ call: inout HelperCall, _ ptr: Dynptr, offset: UInt64, length: UInt64,
                       writable: Bool) -> UnsafeMutableRawBufferPointer? {
        guard ptr.data != 0, !(writable && ptr.isReadOnly),
              DynptrHelpers.rangeError(ptr, offset: offset, length: length) == nil else { return nil }
        if ptr.type == DynptrKfuncs.typeSKB {
            return DynptrKfuncs.packetBytes(call, ptr, offset: offset, length: Int(length))
        }
        return DynptrHelpers.bytes(&call, ptr, offset: offset, length: Int(length), write: writable)
    }

    /// The read path (`__bpf_dynptr_read`): EINVAL for NULL, E2BIG out of range, EFAULT past the packet.
    static func readable(_ call: inout HelperCall, _ ptr: Dynptr, offset: UInt64, length: UInt64) -> Access {
        guard ptr.data != 0 else { return .error(.EINVAL) }
        if let error = DynptrHelpers.rangeError(ptr, offset: offset, length: length) { return .error(error) }
        return direct(&call, ptr, offset: offset, length: length, writable: false).map { .bytes($0) } ?? .error(.EFAULT)
    }

    /// The write path (`__bpf_dynptr_write`): EINVAL for NULL or read-only, E2BIG out of range, EFAULT past the packet.
    static func writable(_ call: inout HelperCall, _ ptr: Dynptr, offset: UInt64, length: UInt64) -> Access {
        guard ptr.data != 0, !ptr.isReadOnly else { return .error(.EINVAL) }
        if let error = DynptrHelpers.rangeError(ptr, offset: offset, length: length) { return .error(error) }
        return direct(&call, ptr, offset: offset, length: length, writable: true).map { .bytes($0) } ?? .error(.EFAULT)
    }

    static func copy(_ call: inout HelperCall) -> UInt64 {
        guard let destination = DynptrHelpers.load(&call, call.r1), let source = DynptrHelpers.load(&call, call.r3) else { return 0 }
        let to = UInt64(UInt32(truncatingIfNeeded: call.r2)), from = UInt64(UInt32(truncatingIfNeeded: call.r4))
        let size = UInt64(UInt32(truncatingIfNeeded: call.r5))
        let sourceSlice = direct(&call, source, offset: from, length: size, writable: false)
        let destinationSlice = direct(&call, destination, offset: to, length: size, writable: true)
        let target: UnsafeMutableRawBufferPointer, origin: UnsafeMutableRawBufferPointer
        switch (sourceSlice, destinationSlice) {
        case let (source?, destination?):
            (origin, target) = (source, destination)
        case let (source?, nil):
            switch writable(&call, destination, offset: to, length: size) {
            case .bytes(let bytes): (origin, target) = (source, bytes)
            case .error(let error): return failed(error)
            }
        case let (nil, destination?):
            switch readable(&call, source, offset: from, length: size) {
            case .bytes(let bytes): (origin, target) = (bytes, destination)
            case .error(let error): return failed(error)
            }
        case (nil, nil):
            if DynptrHelpers.rangeError(destination, offset: to, length: size) != nil
                || DynptrHelpers.rangeError(source, offset: from, length: size) != nil { return failed(.E2BIG) }
            guard size > 0 else { return 0 }
            switch readable(&call, source, offset: from, length: size) {
            case .bytes(let bytes): origin = bytes
            case .error(let error): return failed(error)
            }
            switch writable(&call, destination, offset: to, length: size) {
            case .bytes(let bytes): target = bytes
            case .error(let error): return failed(error)
            }
        }
        // Overlap allowed (memmove), as in the kernel.
        if size > 0, let targetBase = target.baseAddress, let originBase = origin.baseAddress {
            targetBase.copyMemory(from: originBase, byteCount: Int(size))
        }
        return 0
    }

    static func memset(_ call: inout HelperCall) -> UInt64 {
        guard let ptr = DynptrHelpers.load(&call, call.r1) else { return 0 }
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2)), size = UInt64(UInt32(truncatingIfNeeded: call.r3))
        let value = UInt8(truncatingIfNeeded: call.r4)
        let target: UnsafeMutableRawBufferPointer
        if let slice = direct(&call, ptr, offset: offset, length: size, writable: true) {
            target = slice
        } else {
            if ptr.data != 0, ptr.isReadOnly { return failed(.EINVAL) }
            if let error = DynptrHelpers.rangeError(ptr, offset: offset, length: size) { return failed(error) }
            guard size > 0 else { return 0 }
            switch writable(&call, ptr, offset: offset, length: size) {
            case .bytes(let bytes): target = bytes
            case .error(let error): return failed(error)
            }
        }
        if size > 0 { target.initializeMemory(as: UInt8.self, repeating: value) }
        return 0
    }
}
