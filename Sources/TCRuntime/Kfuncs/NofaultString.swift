import BPFCore
import BPFVM

/// A string a string kfunc reads, as the kernel reads it: byte by byte with nofault reads of
/// kernel memory, after `copy_from_kernel_nofault_allowed` accepted its first address.
///
/// Every pointer a program holds names kernel memory to the kernel. Here those are the bytes the
/// program may read (stack, packet, map values, global data): a string resolves to the run of
/// readable bytes that starts at its address, and a read past that run faults (EFAULT), where
/// the kernel would read on into whatever memory follows; but a string that runs to the end of
/// the packet (or starts at its end) ends there, as in the kernel, whose test-run head buffer
/// is zeroed past the data (a program that shrank the packet would find the old bytes there on
/// the kernel). The context
/// is the kernel's `struct sk_buff`, whose bytes the embedded backend does not have: its first
/// byte faults. Any other address is never dereferenced: one the kernel would refuse (user
/// half, non-canonical, the vsyscall page) is ERANGE, the rest EFAULT.
struct NofaultString {
    /// XATTR_SIZE_MAX: the most bytes a string kfunc walks.
    static let limit = 65536
    /// bpf_strnstr reads its haystack up to `i + j`, both below the limit.
    static let longestRead = 2 * limit

    static let kernelHalfStart: UInt64 = 0xffff_8000_0000_0000
    static let vsyscallPage: UInt64 = 0xffff_ffff_ff60_0000

    /// The readable bytes from the string's address on (possibly none).
    private let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` end where the packet ends: the byte after them reads as NUL.
    private let endsWithPacket: Bool

    /// The string at `address`, or nil when the kernel refuses the address (ERANGE).
    init?(_ call: HelperCall, at address: UInt64) {
        let memory = call.memory
        let inContext = address &- memory.contextLow < memory.contextCount
        let readable = inContext ? 0 : memory.readableRun(from: address, limit: Self.longestRead)
        // A string at `data_end` is empty, as the kernel reads it.
        let packetOffset = address &- memory.packetLow
        endsWithPacket = memory.packetCount > 0 && packetOffset <= memory.packetCount
            && memory.packetCount - packetOffset == UInt64(readable)
        guard readable > 0 || inContext || endsWithPacket || Self.kernelAllows(address) else { return nil }
        bytes = UnsafeRawBufferPointer(start: readable > 0 ? UnsafeRawPointer(bitPattern: UInt(address)) : nil, count: readable)
    }

    /// copy_from_kernel_nofault_allowed on x86-64 (4-level paging, 47-bit user half), for an
    /// address that is no program memory.
    static func kernelAllows(_ address: UInt64) -> Bool {
        address >= kernelHalfStart && address & ~0xfff != vsyscallPage
    }

    /// The byte at `index`, nil where the kernel's read would fault.
    @inline(__always)
    func byte(_ index: Int) -> UInt8? {
        if index < bytes.count { return bytes[index] }
        return index == bytes.count && endsWithPacket ? 0 : nil
    }
}
