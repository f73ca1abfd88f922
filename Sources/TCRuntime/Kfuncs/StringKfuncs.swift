import BPFCore
import BPFVM

/// The string kfuncs (kernel/bpf/helpers.c, Linux 6.17+): libc-like functions on NUL-terminated
/// strings anywhere the program can point, read through `NofaultString`. Results as the
/// kernel's: an index, a length, or -1/0/1 for comparisons (of unsigned `char`s: the kernel is
/// built with -funsigned-char); -ENOENT for not found, -EFAULT for a read that faults, -E2BIG
/// for a string the 64 KiB limit (XATTR_SIZE_MAX) cuts, -ERANGE for an address the kernel
/// refuses outright (checked for every string argument before any byte is read).
enum StringKfuncs {
    static let limit = NofaultString.limit

    /// What a kfunc answers: a number, or an errno.
    enum Answer {
        case value(Int)
        case error(LinuxErrno)
    }

    static func register(_ table: inout KfuncTable) {
        table.register(.strcmp) { call in result(compare(call, fold: false)) }
        table.register(.strcasecmp) { call in result(compare(call, fold: true)) }
        table.register(.strnchr) { call in result(find(call, count: call.r2, character: call.r3)) }
        table.register(.strchr) { call in result(find(call, count: UInt64(limit), character: call.r2)) }
        table.register(.strchrnul) { call in result(findOrEnd(call)) }
        table.register(.strrchr) { call in result(findLast(call)) }
        table.register(.strnlen) { call in result(length(call, count: call.r2)) }
        table.register(.strlen) { call in result(length(call, count: UInt64(limit))) }
        table.register(.strspn) { call in result(span(call, accepting: true)) }
        table.register(.strcspn) { call in result(span(call, accepting: false)) }
        table.register(.strnstr) { call in result(search(call, within: call.r3)) }
        table.register(.strstr) { call in result(search(call, within: UInt64(limit))) }
    }

    /// The kfunc's `int` result in r0.
    static func result(_ answer: Answer) -> UInt64 {
        switch answer {
        case .value(let value): UInt64(bitPattern: Int64(value))
        case .error(let errno): failed(errno)
        }
    }

    /// The kernel's tolower: Latin-1, as lib/ctype.c classifies bytes (0xC0-0xDE but 0xD7 are upper case).
    static func lowered(_ byte: UInt8) -> UInt8 {
        let upper = (0x41...0x5a).contains(byte) || (0xc0...0xde).contains(byte) && byte != 0xd7
        return upper ? byte &+ 0x20 : byte
    }

    /// The kfunc's `char c` argument: its low byte.
    static func character(_ register: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: register) }

    /// bpf_strcmp, bpf_strcasecmp: -1, 0 or 1 by the first differing `char`.
    static func compare(_ call: HelperCall, fold: Bool) -> Answer {
        guard let first = NofaultString(call, at: call.r1), let second = NofaultString(call, at: call.r2) else {
            return .error(.ERANGE)
        }
        for i in 0..<limit {
            guard var a = first.byte(i), var b = second.byte(i) else { return .error(.EFAULT) }
            if fold { (a, b) = (lowered(a), lowered(b)) }
            if a != b { return .value(a < b ? -1 : 1) }
            if a == 0 { return .value(0) }
        }
        return .error(.E2BIG)
    }

    /// bpf_strnchr, bpf_strchr: the index of the character (the NUL too) within `count` bytes.
    static func find(_ call: HelperCall, count: UInt64, character register: UInt64) -> Answer {
        guard let s = NofaultString(call, at: call.r1) else { return .error(.ERANGE) }
        let c = character(register)
        var i = 0
        while UInt64(i) < count && i < limit {
            guard let byte = s.byte(i) else { return .error(.EFAULT) }
            if byte == c { return .value(i) }
            if byte == 0 { return .error(.ENOENT) }
            i += 1
        }
        return .error(i == limit ? .E2BIG : .ENOENT)
    }

    /// bpf_strchrnul: the index of the character, or of the NUL.
    static func findOrEnd(_ call: HelperCall) -> Answer {
        guard let s = NofaultString(call, at: call.r1) else { return .error(.ERANGE) }
        let c = character(call.r2)
        for i in 0..<limit {
            guard let byte = s.byte(i) else { return .error(.EFAULT) }
            if byte == 0 || byte == c { return .value(i) }
        }
        return .error(.E2BIG)
    }

    /// bpf_strrchr: the last index of `int c`, compared with each (unsigned) `char` as an int:
    /// 200 finds 0xC8, -56 finds nothing.
    static func findLast(_ call: HelperCall) -> Answer {
        guard let s = NofaultString(call, at: call.r1) else { return .error(.ERANGE) }
        let c = Int32(truncatingIfNeeded: call.r2)
        var last = Answer.error(.ENOENT)
        for i in 0..<limit {
            guard let byte = s.byte(i) else { return .error(.EFAULT) }
            if Int32(byte) == c { last = .value(i) }
            if byte == 0 { return last }
        }
        return .error(.E2BIG)
    }

    /// bpf_strnlen, bpf_strlen: the bytes before the NUL, at most `count`.
    static func length(_ call: HelperCall, count: UInt64) -> Answer {
        guard let s = NofaultString(call, at: call.r1) else { return .error(.ERANGE) }
        var i = 0
        while UInt64(i) < count && i < limit {
            guard let byte = s.byte(i) else { return .error(.EFAULT) }
            if byte == 0 { return .value(i) }
            i += 1
        }
        return i == limit ? .error(.E2BIG) : .value(i)
    }

    /// bpf_strspn (accepting) and bpf_strcspn: how many leading bytes of the first string are
    /// (or are not) in the second. The kernel walks the second string again for every byte, up
    /// to the byte or its end; walking it once gives the same answers: the bytes before its end,
    /// and how it ends (a NUL, a fault, or the limit).
    static func span(_ call: HelperCall, accepting: Bool) -> Answer {
        guard let s = NofaultString(call, at: call.r1), let set = NofaultString(call, at: call.r2) else {
            return .error(.ERANGE)
        }
        var members = ByteSet()
        var end: LinuxErrno? = .E2BIG  // nil: the set ends with a NUL
        for j in 0..<limit {
            guard let candidate = set.byte(j) else { end = .EFAULT; break }
            if candidate == 0 { end = nil; break }
            members.insert(candidate)
        }
        for i in 0..<limit {
            guard let byte = s.byte(i) else { return .error(.EFAULT) }
            if byte == 0 { return .value(i) }
            if members.contains(byte) {
                if !accepting { return .value(i) }
                continue
            }
            // Not in the set: the walk reached the set's end, which decides.
            if let end { return .error(end) }
            if accepting { return .value(i) }
        }
        return .error(.E2BIG)
    }

    /// bpf_strnstr, bpf_strstr: the index where the second string first occurs within the first
    /// `within` bytes of the first (the needle's NUL may be read one byte past them).
    static func search(_ call: HelperCall, within: UInt64) -> Answer {
        guard let haystack = NofaultString(call, at: call.r1), let needle = NofaultString(call, at: call.r2) else {
            return .error(.ERANGE)
        }
        for i in 0..<limit {
            var j = 0
            while UInt64(i + j) <= within && j < limit {
                guard let wanted = needle.byte(j) else { return .error(.EFAULT) }
                if wanted == 0 { return .value(i) }
                if UInt64(i + j) == within { break }
                guard let byte = haystack.byte(i + j) else { return .error(.EFAULT) }
                if byte == 0 { return .error(.ENOENT) }
                if byte != wanted { break }
                j += 1
            }
            if j == limit { return .error(.E2BIG) }
            if UInt64(i + j) == within { return .error(.ENOENT) }
        }
        return .error(.E2BIG)
    }
}

/// A set of bytes in four words.
struct ByteSet {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }
}
