import BPFCore
import TCX

/// BPF_OBJ_GET_INFO_BY_FD and the get-fd-by-id commands.
enum ObjectInfo {
    /// Reads the info struct of `handle` into a zeroed buffer of `size` bytes.
    ///
    /// The kernel answers for whatever object the fd is; asking for one kind's info on
    /// another (a link's on a program, a map's on a link) is refused here with EINVAL,
    /// after the kernel had its say on the fd itself (EBADFD for a closed one).
    static func read(_ handle: Handle, size: Int, expecting kind: ObjectKind) throws(TCXError) -> KernelStruct {
        var info = KernelStruct(size: size)
        let outcome = info.withUnsafeMutableBytes { buffer in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.Info.bpfFD, handle.rawValue)
            attr.set(BPFAttr.Info.infoLength, UInt32(size))
            attr.set(BPFAttr.Info.info, pointer: buffer.baseAddress)
            return BPFSyscall.attempt(.objGetInfoByFD, &attr)
        }
        if case .failure(let code) = outcome { throw BPFSyscall.failure(.objGetInfoByFD, code, "on \(handle)") }
        let actual = try FDInfo(Int32(bitPattern: handle.rawValue)).kind
        guard actual == kind else {
            let what = switch kind {
            case .link: "link"
            case .program: "program"
            case .map: "map"
            }
            throw TCXError(.EINVAL, "BPF_OBJ_GET_INFO_BY_FD: \(handle) is not a \(what)")
        }
        return info
    }

    /// BPF_PROG_GET_FD_BY_ID / BPF_LINK_GET_FD_BY_ID: a new fd.
    static func open(_ command: BPFCommand, id: UInt32) throws(TCXError) -> Int32 {
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.GetFDByID.id, id)
        return try BPFSyscall.call(command, &attr, "id \(id)")
    }
}
