/// Sizes the kernel's map code is built around (x86_64, 4 KiB pages), measured on Linux 6.18.
enum MapLimits {
    static let pageSize = 4096
    /// Largest kmalloc: hash elements and LPM nodes must fit in one.
    static let kmallocMax: UInt64 = 4 << 20
    /// Bytes the kernel puts before the key in a hash element.
    static let hashElementHeader: UInt64 = 48
    /// Bytes the kernel puts before the prefix data in an LPM trie node.
    static let lpmNodeHeader: UInt64 = 24
    /// Longest LPM prefix data (a 2048-bit prefix).
    static let lpmDataMax: UInt32 = 256
    /// A per-CPU value lives in one percpu allocation unit.
    static let percpuUnit: UInt64 = 32768
    /// Beyond this many buckets the bucket array no longer fits a u32 byte count.
    static let hashMaxEntries: UInt32 = 1 << 27
    /// A ring buffer record's length field keeps two bits for busy and discard.
    static let ringbufMaxRecord: UInt64 = UInt64(UInt32.max) / 4
}

@inline(__always)
func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }
