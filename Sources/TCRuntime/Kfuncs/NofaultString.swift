import BPFCore
import BPFVM

/// A string a string kfunc reads, as the kernel reads it: byte by byte with nofault reads of
/// kernel memory, after `copy_from_kernel_nofault_allowed` accepted its first address.
///
/// Every pointer a program holds names kernel memory to the kernel. Here those are the bytes the
/// program may read (stack, packet, map values, global data): a string resolves to the run of
/// readable bytes that starts at its address, and a read past that run faults (EFAULT), where
/// the kernel would read on into whatever memory follows; but a string that runs to the end of
/// the packet ends there, as in the kernel, whose test-run head buffer is zeroed past the data
/// (a program that shrank the packet would find the old bytes there on the kernel). The context
/// is the kernel's `struct sk_buff`, whose bytes the embedded backend does not have: its first
/// byte faults. Any other address is never dereferenced: one the kernel would refuse (user
/// half, non-canonical, the vsyscall page) is ERANGE, the rest EFAULT.
///
/// The run is found as the string is walked: checked in doubling steps, and to the byte where
/// a step fails, so a short string costs one check.
struct NofaultString {
    /// XATTR_SIZE_MAX: the most bytes a string kfunc walks.
    static let limit = 65536
    /// bpf_strnstr reads its haystack up to `i + j`, both below the limit.
    static let longestRead = 2 * limit
    private static let firstStep = 64

    static let kernelHalfStart: UInt64 = 0xffff_8000_0000_0000
    static let vsyscallPage: UInt64 = 0xffff_ffff_ff60_0000

    private let memory: RunMemory
    private let address: UInt64
    /// Bytes from `address` on known to be readable.
    private var known: Int
    /// Whether `known` is the whole run (or `longestRead`).
    private var complete: Bool

    /// The string at `address`, or nil when the kernel refuses the address (ERANGE).
    init?(_ call: HelperCall, at address: UInt64) {
        memory = call.memory
        self.address = address
        let inContext = address &- memory.contextLow < memory.contextCount
        if !inContext && memory.allows(address, size: 1, write: false) {
            (known, complete) = (1, false)
        } else {
            guard inContext || Self.kernelAllows(address) else { return nil }
            (known, complete) = (0, true)
        }
    }

    /// copy_from_kernel_nofault_allowed on x86-64 (4-level paging, 47-bit user half), for an
    /// address that is no program memory.
    static func kernelAllows(_ address: UInt64) -> Bool {
        address >= kernelHalfStart && address & ~0xfff != vsyscallPage
    }

    /// The byte at `index`, nil where the kernel's read would fault.
    @inline(__always)
    mutating func byte(_ index: Int) -> UInt8? {
        if index >= known && !complete { extend(past: index) }
        if index < known, let pointer = UnsafePointer<UInt8>(bitPattern: UInt(address &+ UInt64(index))) {
            return pointer.pointee
        }
        return index == known && endsWithPacket ? 0 : nil
    }

    /// Whether the run ends where the packet ends: the byte after it reads as NUL.
    private var endsWithPacket: Bool {
        let offset = address &- memory.packetLow
        return known > 0 && offset < memory.packetCount && memory.packetCount - offset == UInt64(known)
    }

    /// Grows `known` until it covers `index` or the run ends: a region that holds a range holds
    /// every shorter one from the same start, so the end is found by halving the failed step.
    private mutating func extend(past index: Int) {
        while !complete && known <= index {
            let step = min(max(known * 2, Self.firstStep, index + 1), Self.longestRead)
            if memory.allows(address, size: UInt64(step), write: false) {
                known = step
                complete = step == Self.longestRead
                continue
            }
            var (low, high) = (known, step)
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if memory.allows(address, size: UInt64(middle), write: false) { low = middle } else { high = middle }
            }
            (known, complete) = (low, true)
        }
    }
}
