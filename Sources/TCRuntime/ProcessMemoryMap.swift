import Glibc

/// One area of this process's memory as a line of /proc/self/maps shows it
/// (`start-end perms offset major:minor inode name`): what the embedded backend's
/// `struct vm_area_struct` images are made of.
struct MemoryArea: Equatable, Sendable {
    var start: UInt64, end: UInt64
    var readable: Bool, writable: Bool, executable: Bool, shared: Bool
    /// The file offset in bytes (0 for anonymous memory).
    var offset: UInt64
    var inode: UInt64
    /// The path or the kernel's name (`[stack]`, `[heap]`, `[vdso]`), "" for anonymous memory.
    var name: String

    /// The kernel's vm_flags bits a maps line shows (include/linux/mm.h).
    static let read: UInt64 = 0x1, write: UInt64 = 0x2, exec: UInt64 = 0x4, sharedFlag: UInt64 = 0x8
    static let growsDown: UInt64 = 0x100

    /// The vm_flags the line tells: read, write, exec, shared from the permissions, grows-down
    /// for the main thread's stack (the only VM_GROWSDOWN area a process gets by itself). The
    /// other bits (VM_MAY*, VM_ACCOUNT…) are not in the line and read 0.
    var flags: UInt64 {
        var flags: UInt64 = 0
        if readable { flags |= Self.read }
        if writable { flags |= Self.write }
        if executable { flags |= Self.exec }
        if shared { flags |= Self.sharedFlag }
        if name == "[stack]" { flags |= Self.growsDown }
        return flags
    }

    /// vm_pgoff: a file's offset in pages; for anonymous memory the page number of its start,
    /// which is what the kernel gives a new private anonymous mapping (the line shows 0).
    var pageOffset: UInt64 { isFile ? offset >> 12 : start >> 12 }

    /// Backed by a file (the line names an inode).
    var isFile: Bool { inode != 0 }

    func contains(_ address: UInt64) -> Bool { start <= address && address < end }

    /// Parses one line (no newline); nil when it is not a maps line: each field is checked, a
    /// number longer than 64 bits or an area ending before it starts is refused.
    init?(line: [UInt8]) {
        var rest = line[...]
        guard let start = Self.hex(&rest, until: UInt8(ascii: "-")),
              let end = Self.hex(&rest, until: UInt8(ascii: " ")), start < end else { return nil }
        let perms = Array(rest.prefix(5))
        guard perms.count == 5, perms[4] == UInt8(ascii: " ") else { return nil }
        func flag(_ i: Int, _ set: Character, _ unset: Character = "-") -> Bool? {
            if perms[i] == set.asciiValue { return true }
            return perms[i] == unset.asciiValue ? false : nil
        }
        guard let r = flag(0, "r"), let w = flag(1, "w"), let x = flag(2, "x"), let s = flag(3, "s", "p") else { return nil }
        rest = rest.dropFirst(5)
        guard let offset = Self.hex(&rest, until: UInt8(ascii: " ")),
              Self.device(&rest), let inode = Self.decimal(&rest) else { return nil }
        // The name follows the padding; a line may end at the inode.
        let name = rest.drop { $0 == UInt8(ascii: " ") }
        guard name.count <= ProcessMemoryMap.maxLine else { return nil }
        self.init(start: start, end: end, readable: r, writable: w, executable: x, shared: s, offset: offset,
                  inode: inode, name: String(decoding: name, as: UTF8.self))
    }

    init(start: UInt64, end: UInt64, readable: Bool, writable: Bool, executable: Bool, shared: Bool,
         offset: UInt64, inode: UInt64, name: String) {
        self.start = start; self.end = end
        self.readable = readable; self.writable = writable; self.executable = executable; self.shared = shared
        self.offset = offset; self.inode = inode; self.name = name
    }

    /// 1-16 hex digits then `separator` (consumed).
    private static func hex(_ rest: inout ArraySlice<UInt8>, until separator: UInt8) -> UInt64? {
        var value: UInt64 = 0, digits = 0
        while let byte = rest.first, byte != separator {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            digits += 1
            guard digits <= 16 else { return nil }
            value = value << 4 | UInt64(digit)
            rest = rest.dropFirst()
        }
        guard digits > 0, rest.first == separator else { return nil }
        rest = rest.dropFirst()
        return value
    }

    /// `major:minor ` in hex (not kept: the inode says whether a file backs the area).
    private static func device(_ rest: inout ArraySlice<UInt8>) -> Bool {
        guard hex(&rest, until: UInt8(ascii: ":")) != nil, hex(&rest, until: UInt8(ascii: " ")) != nil else { return false }
        return true
    }

    /// Decimal digits up to a blank or the end, fitting 64 bits (the blank consumed).
    private static func decimal(_ rest: inout ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0, digits = 0
        while let byte = rest.first, byte != UInt8(ascii: " ") {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            digits += 1
            rest = rest.dropFirst()
        }
        guard digits > 0 else { return nil }
        rest = rest.dropFirst()
        return value
    }
}

/// This process's memory map, read from /proc/self/maps in address order, bounded: at most
/// `maxBytes` are read and a line longer than `maxLine` is skipped, so a map that is huge or
/// a file that is not a maps file costs a bounded read and gives no made-up area.
enum ProcessMemoryMap {
    /// A name is at most PATH_MAX plus what the kernel appends (" (deleted)").
    static let maxLine = 4096 + 128
    /// 65,530 areas (the default vm.max_map_count) of about 100 bytes each.
    static let maxBytes = 8 << 20

    /// Calls `body` with each area in order until it answers false; lines that do not parse are
    /// passed over. Returns false when the file could not be opened.
    @discardableResult
    static func forEachArea(path: String = "/proc/self/maps", maxBytes: Int = maxBytes,
                            _ body: (MemoryArea) -> Bool) -> Bool {
        forEachLine(path: path, maxBytes: maxBytes) { line in
            guard let area = MemoryArea(line: line) else { return true }
            return body(area)
        }
    }

    /// Calls `body` with each line (without its newline) until it answers false; a line longer
    /// than `maxLine` is skipped whole, a last line cut by `maxBytes` is passed as it is.
    /// Returns false when the file could not be opened.
    @discardableResult
    static func forEachLine(path: String, maxBytes: Int, _ body: ([UInt8]) -> Bool) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var line: [UInt8] = [], tooLong = false, total = 0
        let chunk = 4096
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { buffer -> Bool in
            while total < maxBytes {
                let count = read(fd, buffer.baseAddress, min(chunk, maxBytes - total))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                total += count
                for byte in buffer.prefix(count) {
                    if byte == UInt8(ascii: "\n") {
                        if !tooLong, !body(line) { return true }
                        line.removeAll(keepingCapacity: true)
                        tooLong = false
                    } else if line.count < maxLine {
                        line.append(byte)
                    } else {
                        tooLong = true
                    }
                }
            }
            // The last line, when the read ended without a newline (a cut or a short file).
            if !tooLong, !line.isEmpty { _ = body(line) }
            return true
        }
    }

    /// The area holding `address` (the kernel's find_vma and its vm_start check), nil when none.
    static func area(containing address: UInt64, path: String = "/proc/self/maps",
                     maxBytes: Int = maxBytes) -> MemoryArea? {
        var found: MemoryArea?
        forEachArea(path: path, maxBytes: maxBytes) { area in
            if area.contains(address) { found = area; return false }
            // In address order: past it, no later area holds it.
            return area.start <= address
        }
        return found
    }

    /// The first area starting at or after `address` (the iterator's step after an area that
    /// ended there), nil when none does.
    static func firstArea(startingFrom address: UInt64, path: String = "/proc/self/maps",
                          maxBytes: Int = maxBytes) -> MemoryArea? {
        var found: MemoryArea?
        forEachArea(path: path, maxBytes: maxBytes) { area in
            if area.start >= address { found = area; return false }
            return true
        }
        return found
    }

    /// The first area ending past `address` (the kernel's vma iterator from an address: the
    /// area holding it, else the next one), nil when none does.
    static func firstArea(endingAfter address: UInt64, path: String = "/proc/self/maps",
                          maxBytes: Int = maxBytes) -> MemoryArea? {
        var found: MemoryArea?
        forEachArea(path: path, maxBytes: maxBytes) { area in
            if area.end > address { found = area; return false }
            return true
        }
        return found
    }
}
