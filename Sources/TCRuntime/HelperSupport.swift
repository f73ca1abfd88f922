import BPFCore
import BPFVM

/// r0 for a helper that fails with `errno`: the negative number, as the kernel returns it.
@inline(__always)
func failed(_ errno: LinuxErrno) -> UInt64 {
    UInt64(bitPattern: Int64(-errno.rawValue))
}

extension HelperCall {
    /// The program's memory at `address`, or nil after marking the call failed: the kernel
    /// verifier would have refused a program passing memory it cannot access.
    mutating func memory(at address: UInt64, count: Int, write: Bool, _ what: String) -> UnsafeMutableRawBufferPointer? {
        if count == 0 { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        guard let bytes = bytes(at: address, count: count, write: write) else {
            failure = "\(what): \(count) bytes at 0x\(String(address, radix: 16)) are not accessible"
            return nil
        }
        return bytes
    }

    /// Tells the interpreter the packet moved or changed size and refreshes the context fields.
    func packetChanged(_ run: TCRun) -> UnsafeMutableRawBufferPointer {
        run.render()
        return run.packet
    }
}
