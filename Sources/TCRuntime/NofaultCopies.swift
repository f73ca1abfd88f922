import BPFCore
import BPFVM
import CBPFSys

/// The kernel's nofault copies (mm/maccess.c, lib/strncpy_from_user.c) as the probe-read
/// kfuncs use them, into a destination the caller already checked. Each answers what the
/// kernel's answers: 0 or a byte count, or a negative errno.
///
/// Kernel memory is what the program may read (its stack, the packet, map values, globals:
/// `NofaultString`'s rules); the context is the kernel's `struct sk_buff`, whose bytes the
/// embedded backend does not have, and faults. User memory is this process's own (a test-run
/// runs in the calling task), read with process_vm_readv (`cbpfsys_read_own_memory`): an unmapped address faults instead
/// of trapping, and every address of program memory is a kernel address, so a user read of it
/// faults as in the kernel. The kernel reads with page faults off, so a user page not resident
/// faults there and is read here.
enum NofaultCopies {
    /// USER_PTR_MAX on x86-64 with 4-level paging (TASK_SIZE_MAX): the last user address + 1.
    static let userEnd: UInt64 = (1 << 47) - 4096

    /// copy_from_kernel_nofault: ERANGE for an address the kernel refuses (checked even for 0
    /// bytes), EFAULT for one it cannot read whole (nothing written here; the kernel may have
    /// copied whole words before the fault).
    static func kernel(_ call: HelperCall, into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        let memory = call.memory
        let inContext = address &- memory.contextLow < memory.contextCount
        let readable = inContext ? 0 : memory.readableRun(from: address, limit: max(target.count, 1))
        if readable == 0, !inContext, !NofaultString.kernelAllows(address) { return -Int(LinuxErrno.ERANGE.rawValue) }
        guard !target.isEmpty else { return 0 }
        guard readable >= target.count, let source = UnsafeRawPointer(bitPattern: UInt(address)),
              let base = target.baseAddress else { return -Int(LinuxErrno.EFAULT.rawValue) }
        base.copyMemory(from: source, byteCount: target.count)
        return 0
    }

    /// strncpy_from_kernel_nofault: 0 for no room; else up to `count - 1` bytes and a NUL (the
    /// count copied with it), ERANGE for a refused address (nothing written), EFAULT with a NUL
    /// where the read faulted.
    static func kernelString(_ call: HelperCall, into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        let count = target.count
        guard count > 0 else { return 0 }
        guard let string = NofaultString(call, at: address) else { return -Int(LinuxErrno.ERANGE.rawValue) }
        var i = 0
        while true {
            guard let byte = string.byte(i) else {
                target[i] = 0
                return -Int(LinuxErrno.EFAULT.rawValue)
            }
            target[i] = byte
            i += 1
            if byte == 0 || i == count { break }
        }
        target[i - 1] = 0
        return i
    }

    /// copy_from_user_nofault: EFAULT for an address range that is not user memory (checked
    /// even for 0 bytes) or not read whole (the bytes read stay written).
    static func user(_ call: HelperCall, into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        isProgramMemory(call, address) ? -Int(LinuxErrno.EFAULT.rawValue) : userBytes(into: target, from: address)
    }

    /// strncpy_from_user_nofault, as `userString(into:from:)`; a kernel address faults.
    static func userString(_ call: HelperCall, into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        guard !target.isEmpty else { return 0 }
        return isProgramMemory(call, address) ? -Int(LinuxErrno.EFAULT.rawValue) : userString(into: target, from: address)
    }

    /// copy_from_user_nofault on an address of this process's memory.
    static func userBytes(into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        let (end, overflow) = address.addingReportingOverflow(UInt64(target.count))
        guard !overflow, end <= userEnd else { return -Int(LinuxErrno.EFAULT.rawValue) }
        guard !target.isEmpty else { return 0 }
        return readProcess(into: target, from: address) == target.count ? 0 : -Int(LinuxErrno.EFAULT.rawValue)
    }

    /// strncpy_from_user_nofault on an address of this process's memory: 0 for no room; else
    /// the string and its NUL (the count with it), cut to `count - 1` bytes and a NUL; EFAULT
    /// for an address past the user half or a fault before the string ended (the bytes read
    /// before it stay written).
    static func userString(into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        let count = target.count
        guard count > 0 else { return 0 }
        var copied = 0
        while copied < count {
            // One page at a time: a string that ends before an unmapped page reads whole.
            let at = address &+ UInt64(copied)
            guard at < userEnd else { return -Int(LinuxErrno.EFAULT.rawValue) }
            let chunk = min(count - copied, Int(4096 - at % 4096))
            let slice = UnsafeMutableRawBufferPointer(rebasing: target[copied ..< copied + chunk])
            let read = readProcess(into: slice, from: at)
            if let nul = slice.prefix(read).firstIndex(of: 0) { return copied + nul + 1 }
            copied += read
            guard read == chunk else { return -Int(LinuxErrno.EFAULT.rawValue) }
        }
        target[count - 1] = 0
        return count
    }

    static func isProgramMemory(_ call: HelperCall, _ address: UInt64) -> Bool {
        call.bytes(at: address, count: 1, write: false) != nil
    }

    /// Reads this process's memory without faulting; the bytes read.
    private static func readProcess(into target: UnsafeMutableRawBufferPointer, from address: UInt64) -> Int {
        guard let base = target.baseAddress, !target.isEmpty else { return 0 }
        let read = cbpfsys_read_own_memory(base, UInt(address), UInt(target.count))
        return read > 0 ? read : 0
    }
}
