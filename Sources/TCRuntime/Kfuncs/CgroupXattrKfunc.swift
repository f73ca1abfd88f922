import BPFCore
import BPFVM
import CBPFSys
import Glibc

/// `bpf_cgroup_read_xattr(cgroup, name, value)`: an extended attribute of a cgroup's cgroupfs
/// directory, as the kernel reads it (kernfs_xattr_get). Measured on Linux 6.18
/// (corpus/kfunc/cgroup_xattr.c, and by hand with `user.tcx_probe` set on the v2 root): only
/// `user.*` names are read (any other EPERM, checked first); the value is written into the
/// dynptr's whole range when it gives one (a local or skb dynptr; NULL: EINVAL) and the
/// value's length answered, ERANGE when it does not fit, ENODATA when the directory has no
/// such attribute (also `user.` alone). Here the directory is the real one, read with
/// getxattr(2) (`ProcessIdentity.cgroupDirectories`: the cgroup v2 mount and this process's
/// cgroup path) down to the cgroup's level. A cgroup off that path (a v1 one)
/// has no attributes here.
enum CgroupXattrKfunc {
    static let userPrefix = Array("user.".utf8)
    /// XATTR_NAME_MAX: a longer name is no attribute's.
    static let longestName = 255

    static func register(_ table: inout KfuncTable) {
        table.register(.cgroupReadXattr, read)
    }

    static func read(_ call: inout HelperCall) -> UInt64 {
        guard let name = constantName(call, at: call.r2) else { return 0 }
        guard name.starts(with: userPrefix) else { return failed(.EPERM) }
        guard let ptr = DynptrHelpers.load(&call, call.r3) else { return 0 }
        guard let value = writableWhole(&call, ptr) else { return failed(.EINVAL) }
        guard name.count > userPrefix.count, name.count <= longestName,
              let id = KernelTaskImages.cgroupID(ofCgroup: call.r1),
              let level = ProcessIdentity.cgroupLevels.firstIndex(of: id), level < ProcessIdentity.cgroupDirectories.count else {
            return failed(.ENODATA)
        }
        let size = min(value.count, 65536)
        let answer = cbpfsys_getxattr(ProcessIdentity.cgroupDirectories[level], String(decoding: name, as: UTF8.self),
                              size > 0 ? value.baseAddress : nil, UInt(size))
        return answer >= 0 ? UInt64(answer) : failed(LinuxErrno(rawValue: errno))
    }

    /// The NUL-terminated name the verifier found in `.rodata`; nil (the call failed) when
    /// the run's memory has none there.
    private static func constantName(_ call: HelperCall, at address: UInt64) -> [UInt8]? {
        var name: [UInt8] = []
        while name.count <= longestName + 1 {
            guard let byte = call.bytes(at: address &+ UInt64(name.count), count: 1, write: false)?.first else { return nil }
            if byte == 0 { return name }
            name.append(byte)
        }
        return name
    }

    /// `__bpf_dynptr_data_rw(ptr, size)`: the dynptr's whole range, writable, or nil.
    private static func writableWhole(_ call: inout HelperCall, _ ptr: DynptrHelpers.Dynptr) -> UnsafeMutableRawBufferPointer? {
        DynptrCopyKfuncs.direct(&call, ptr, offset: 0, length: UInt64(ptr.size), writable: true)
    }
}
