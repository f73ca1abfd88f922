import BPFCore
import BPFVM

/// The string kfuncs (kernel/bpf/helpers.c, Linux 6.17+): libc-like functions on NUL-terminated
/// strings anywhere the program can point, read through `NofaultString`. Results as the
/// kernel's: an index, a length, or -1/0/1 for comparisons (of unsigned `char`s: the kernel is
/// built with -funsigned-char); -ENOENT for not found, -EFAULT for a read that faults, -E2BIG for a string the 64 KiB
/// limit (XATTR_SIZE_MAX) cuts, -ERANGE for an address the kernel refuses outright (checked
/// for every string argument before any byte is read).
enum StringKfuncs {
    static let limit = NofaultString.limit

    /// What a kfunc answers: a number, or an errno.
    typealias Answer = Result<Int, Refusal>
    struct Refusal: Error { let errno: LinuxErrno }

    static func register(_ table: inout KfuncTable) {
        table.register(.strcmp) { call in answer(compare(call, fold: false)) }
        table.register(.strcasecmp) { call in answer(compare(call, fold: true)) }
        table.register(.strnchr) { call in answer(find(call, count: call.r2, character: call.r3)) }
        table.register(.strchr) { call in answer(find(call, count: UInt64(limit), character: call.r2)) }
        table.register(.strchrnul) { call in answer(findOrEnd(call)) }
        table.register(.strrchr) { call in answer(findLast(call)) }
        table.register(.strnlen) { call in answer(length(call, count: call.r2)) }
        table.register(.strlen) { call in answer(length(call, count: UInt64(limit))) }
        table.register(.strspn) { call in answer(span(call, accepting: true)) }
        table.register(.strcspn) { call in answer(span(call, accepting: false)) }
        table.register(.strnstr) { call in answer(search(call, within: call.r3)) }
        table.register(.strstr) { call in answer(search(call, within: UInt64(limit))) }
    }

    /// The kfunc's `int` result in r0.
    static func answer(_ result: Answer) -> UInt64 {
        switch result {
        case .success(let value): UInt64(bitPattern: Int64(value))
        case .failure(let refusal): failed(refusal.errno)
        }
    }

    /// The strings at the given addresses, or ERANGE when the kernel refuses any of them.
    static func strings(_ call: HelperCall, _ addresses: UInt64...) -> Result<[NofaultString], Refusal> {
        var strings: [NofaultString] = []
        for address in addresses {
            guard let string = NofaultString(call, at: address) else { return .failure(Refusal(errno: .ERANGE)) }
            strings.append(string)
        }
        return .success(strings)
    }

    static let fault = Refusal(errno: .EFAULT)
    static let tooLong = Answer.failure(Refusal(errno: .E2BIG))
    static let notFound = Answer.failure(Refusal(errno: .ENOENT))

    /// The kernel's tolower: Latin-1, as lib/ctype.c classifies bytes (0xC0-0xDE but 0xD7 are upper case).
    static func lowered(_ byte: UInt8) -> UInt8 {
        let upper = (0x41...0x5a).contains(byte) || (0xc0...0xde).contains(byte) && byte != 0xd7
        return upper ? byte &+ 0x20 : byte
    }

    /// The kfunc's `char c` argument: its low byte.
    static func character(_ register: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: register) }

    /// bpf_strcmp, bpf_strcasecmp: -1, 0 or 1 by the first differing `char`.
    static func compare(_ call: HelperCall, fold: Bool) -> Answer {
        strings(call, call.r1, call.r2).flatMap { pair in
            let (first, second) = (pair[0], pair[1])
            for i in 0..<limit {
                guard var a = first[i], var b = second[i] else { return .failure(fault) }
                if fold { (a, b) = (lowered(a), lowered(b)) }
                if a != b { return .success(a < b ? -1 : 1) }
                if a == 0 { return .success(0) }
            }
            return tooLong
        }
    }

    /// bpf_strnchr, bpf_strchr: the index of the character (the NUL too) within `count` bytes.
    static func find(_ call: HelperCall, count: UInt64, character register: UInt64) -> Answer {
        strings(call, call.r1).flatMap { found in
            let s = found[0], c = character(register)
            var i = 0
            while UInt64(i) < count && i < limit {
                guard let byte = s[i] else { return .failure(fault) }
                if byte == c { return .success(i) }
                if byte == 0 { return notFound }
                i += 1
            }
            return i == limit ? tooLong : notFound
        }
    }

    /// bpf_strchrnul: the index of the character, or of the NUL.
    static func findOrEnd(_ call: HelperCall) -> Answer {
        strings(call, call.r1).flatMap { found in
            let s = found[0], c = character(call.r2)
            for i in 0..<limit {
                guard let byte = s[i] else { return .failure(fault) }
                if byte == 0 || byte == c { return .success(i) }
            }
            return tooLong
        }
    }

    /// bpf_strrchr: the last index of `int c`, compared with each (unsigned) `char` as an int:
    /// 200 finds 0xC8, -56 finds nothing.
    static func findLast(_ call: HelperCall) -> Answer {
        strings(call, call.r1).flatMap { found in
            let s = found[0], c = Int32(truncatingIfNeeded: call.r2)
            var last = notFound
            for i in 0..<limit {
                guard let byte = s[i] else { return .failure(fault) }
                if Int32(byte) == c { last = .success(i) }
                if byte == 0 { return last }
            }
            return tooLong
        }
    }

    /// bpf_strnlen, bpf_strlen: the bytes before the NUL, at most `count`.
    static func length(_ call: HelperCall, count: UInt64) -> Answer {
        strings(call, call.r1).flatMap { found in
            let s = found[0]
            var i = 0
            while UInt64(i) < count && i < limit {
                guard let byte = s[i] else { return .failure(fault) }
                if byte == 0 { return .success(i) }
                i += 1
            }
            return i == limit ? tooLong : .success(i)
        }
    }

    /// bpf_strspn (accepting) and bpf_strcspn: how many leading bytes of the first string are
    /// (or are not) in the second. The kernel walks the second string again for every byte, up
    /// to the byte or its end; walking it once gives the same answers: the bytes before its end,
    /// and how it ends (a NUL, a fault, or the limit).
    static func span(_ call: HelperCall, accepting: Bool) -> Answer {
        strings(call, call.r1, call.r2).flatMap { pair in
            let (s, set) = (pair[0], pair[1])
            var members = [Bool](repeating: false, count: 256)
            var end: Answer = tooLong
            for j in 0..<limit {
                guard let candidate = set[j] else { end = .failure(fault); break }
                if candidate == 0 { end = .success(0); break }
                members[Int(candidate)] = true
            }
            for i in 0..<limit {
                guard let byte = s[i] else { return .failure(fault) }
                if byte == 0 { return .success(i) }
                if members[Int(byte)] {
                    if !accepting { return .success(i) }
                    continue
                }
                // Not in the set: the walk reached the set's end, which decides.
                switch end {
                case .success: if accepting { return .success(i) }
                case .failure: return end
                }
            }
            return tooLong
        }
    }

    /// bpf_strnstr, bpf_strstr: the index where the second string first occurs within the first
    /// `within` bytes of the first (the needle's NUL may be read one byte past them).
    static func search(_ call: HelperCall, within: UInt64) -> Answer {
        strings(call, call.r1, call.r2).flatMap { pair in
            let (haystack, needle) = (pair[0], pair[1])
            for i in 0..<limit {
                var j = 0
                while UInt64(i + j) <= within && j < limit {
                    guard let wanted = needle[j] else { return .failure(fault) }
                    if wanted == 0 { return .success(i) }
                    if UInt64(i + j) == within { break }
                    guard let byte = haystack[i + j] else { return .failure(fault) }
                    if byte == 0 { return notFound }
                    if byte != wanted { break }
                    j += 1
                }
                if j == limit { return tooLong }
                if UInt64(i + j) == within { return notFound }
            }
            return tooLong
        }
    }
}
