import BPFCore
import CBPFSys
import Glibc
import TCX

/// What one bpf(2) call returned: its value, or the kernel's errno.
enum BPFOutcome {
    case success(Int32)
    case failure(LinuxErrno)
}

/// bpf(2) with errors in the project's vocabulary.
enum BPFSyscall {
    /// One command; the kernel's errno comes back as the failure, unchanged.
    static func attempt(_ command: BPFCommand, _ attr: inout KernelStruct) -> BPFOutcome {
        precondition(attr.bytes.count == BPFAttr.unionSize, "bpf_attr must be the whole union")
        let (result, code) = attr.withUnsafeMutableBytes { raw in
            let r = cbpfsys_bpf(command.rawValue, raw.baseAddress, UInt32(command.attrSize))
            return (r, errno)
        }
        return result < 0 ? .failure(LinuxErrno(rawValue: code)) : .success(Int32(truncatingIfNeeded: result))
    }

    /// One command that throws `TCXError` naming the command and `context`.
    @discardableResult
    static func call(_ command: BPFCommand, _ attr: inout KernelStruct, _ context: String) throws(TCXError) -> Int32 {
        switch attempt(command, &attr) {
        case .success(let value): return value
        case .failure(let code): throw failure(command, code, context)
        }
    }

    static func failure(_ command: BPFCommand, _ code: LinuxErrno, _ context: String) -> TCXError {
        let what = context.isEmpty ? command.name : "\(command.name) \(context)"
        let hint = code == .EPERM ? ProcessCapabilities.hintForPermissionDenied().map { " (\($0))" } ?? "" : ""
        return TCXError(code, "\(what): \(describe(code))\(hint)")
    }

    /// strerror(3) text for an errno.
    static func describe(_ code: LinuxErrno) -> String {
        String(cString: strerror(code.rawValue))
    }
}
