import Synchronization

/// The whole vm_flags of this process's areas, from the `VmFlags:` lines of /proc/self/smaps
/// (two letters a bit, fs/proc/task_mmu.c): the maps line shows only read, write, exec and
/// shared, where the kernel's vma also holds VM_MAY*, VM_ACCOUNT, VM_DONTDUMP... Measured on
/// Linux 6.18: the stack's vm_flags is 0x100173 (rd wr mr mw me gd ac), the code's 0x75.
///
/// smaps walks every area's pages, so it is read once for all areas and kept by the area's
/// line (its bounds, permissions, offset and inode: an mprotect or a remap changes the line),
/// and read again only for a line it does not know. A letter pair this table does not know
/// adds nothing; an area smaps does not show (or past the read's bound) has no answer here,
/// and `MemoryArea.flags` stands in.
enum ProcessMemoryFlags {
    /// smaps holds about 1.2 KB an area: 65,530 areas are about 80 MB; past this bound the
    /// areas not reached keep the maps line's flags.
    static let maxBytes = 32 << 20
    /// The kernel's mnemonics (show_smap_vma_flags) and their vm_flags bits (include/linux/mm.h).
    static let bits: [String: UInt64] = [
        "rd": 0x1, "wr": 0x2, "ex": 0x4, "sh": 0x8, "mr": 0x10, "mw": 0x20, "me": 0x40, "ms": 0x80,
        "gd": 0x100, "um": 0x200, "pf": 0x400, "uw": 0x1000, "lo": 0x2000, "io": 0x4000, "sr": 0x8000,
        "rr": 0x1_0000, "dc": 0x2_0000, "de": 0x4_0000, "lf": 0x8_0000, "ac": 0x10_0000, "nr": 0x20_0000,
        "ht": 0x40_0000, "sf": 0x80_0000, "ar": 0x100_0000, "wf": 0x200_0000, "dd": 0x400_0000,
        "sd": 0x800_0000, "mm": 0x1000_0000, "hg": 0x2000_0000, "nh": 0x4000_0000, "mg": 0x8000_0000,
    ]

    /// An area's line as smaps and maps both show it.
    struct Key: Hashable {
        let start: UInt64, end: UInt64, offset: UInt64, inode: UInt64, lineFlags: UInt64
        init(_ area: MemoryArea) {
            start = area.start; end = area.end; offset = area.offset; inode = area.inode; lineFlags = area.flags
        }
    }

    private static let known = Mutex<[Key: UInt64]>([:])

    /// The bits of a `VmFlags:` line's letter pairs (the line without its `VmFlags:`).
    static func parse(_ letters: ArraySlice<UInt8>) -> UInt64 {
        var flags: UInt64 = 0
        for pair in letters.split(separator: UInt8(ascii: " ")) {
            flags |= bits[String(decoding: pair, as: UTF8.self)] ?? 0
        }
        return flags
    }

    /// The area's vm_flags as smaps shows them, nil when smaps does not show this line.
    static func flags(of area: MemoryArea, path: String = "/proc/self/smaps", maxBytes: Int = maxBytes) -> UInt64? {
        let key = Key(area)
        if let flags = known.withLock({ $0[key] }) { return flags }
        let read = read(path: path, maxBytes: maxBytes)
        known.withLock { $0 = read }
        return read[key]
    }

    /// Every area's flags in an smaps file.
    static func read(path: String, maxBytes: Int) -> [Key: UInt64] {
        var found: [Key: UInt64] = [:], current: Key?
        let prefix = Array("VmFlags:".utf8)
        ProcessMemoryMap.forEachLine(path: path, maxBytes: maxBytes) { line in
            if let area = MemoryArea(line: line) {
                current = Key(area)
            } else if let key = current, line.starts(with: prefix) {
                found[key] = parse(line[prefix.count...])
                current = nil
            }
            return true
        }
        return found
    }
}
