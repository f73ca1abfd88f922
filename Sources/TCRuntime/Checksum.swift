/// The kernel's Internet checksum arithmetic (include/net/checksum.h, x86-64 csum_partial),
/// bit for bit: which of 0x0000 and 0xffff a sum ends as depends on these exact steps.
enum Checksum {
    /// csum_partial: the end-around-carry sum of the buffer's little-endian 64-bit words (the
    /// tail zero-padded) starting from `seed`, folded to 32 bits.
    static func partial(_ bytes: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        var sum = UInt64(seed)
        var offset = 0
        @inline(__always) func add(_ word: UInt64) {
            let (s, carry) = sum.addingReportingOverflow(word)
            sum = s &+ (carry ? 1 : 0)
        }
        while offset + 8 <= bytes.count {
            add(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for i in offset..<bytes.count { tail |= UInt64(bytes[i]) << (8 * UInt64(i - offset)) }
            add(tail)
        }
        return add32(UInt32(truncatingIfNeeded: sum >> 32), UInt32(truncatingIfNeeded: sum))
    }

    /// csum_add: 32-bit one's complement addition.
    static func add32(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (s, carry) = a.addingReportingOverflow(b)
        return s &+ (carry ? 1 : 0)
    }

    static func sub32(_ a: UInt32, _ b: UInt32) -> UInt32 { add32(a, ~b) }

    /// csum_fold: folds to 16 bits and complements.
    static func fold(_ sum: UInt32) -> UInt16 {
        var s = (sum & 0xffff) + (sum >> 16)
        s = (s & 0xffff) + (s >> 16)
        return ~UInt16(truncatingIfNeeded: s)
    }

    /// csum_from32to16: folds to 16 bits without complementing.
    static func from32to16(_ x: UInt32) -> UInt16 {
        let s = x &+ ((x >> 16) | (x << 16))
        return UInt16(truncatingIfNeeded: s >> 16)
    }

    static func add16(_ a: UInt16, _ b: UInt16) -> UInt16 {
        let r = a &+ b
        return r &+ (r < b ? 1 : 0)
    }

    /// csum_replace_by_diff.
    static func replaceByDiff(_ sum: UInt16, diff: UInt32) -> UInt16 {
        fold(add32(diff, ~UInt32(sum)))
    }

    /// csum_replace2 (16-bit arithmetic).
    static func replace2(_ sum: UInt16, from: UInt16, to: UInt16) -> UInt16 {
        ~add16(add16(~sum, ~from), to)
    }

    /// csum_replace4.
    static func replace4(_ sum: UInt16, from: UInt32, to: UInt32) -> UInt16 {
        fold(add32(sub32(~UInt32(sum), from), to))
    }

    /// inet_proto_csum_replace4 on an skb whose checksum is not offloaded: the sum over
    /// `{~from, to}` seeded with the old checksum.
    static func protoReplace4(_ sum: UInt16, from: UInt32, to: UInt32) -> UInt16 {
        var words: (UInt32, UInt32) = (~from, to)
        return withUnsafeBytes(of: &words) { fold(partial($0, seed: ~UInt32(sum))) }
    }

    /// bpf_csum_diff on Linux 6.18: the folded 16-bit difference, any sizes.
    static func diff(from: UnsafeRawBufferPointer, to: UnsafeRawBufferPointer, seed: UInt32) -> UInt16 {
        var result = seed
        if !from.isEmpty && !to.isEmpty {
            result = sub32(partial(to, seed: result), partial(from, seed: 0))
        } else if !to.isEmpty {
            result = partial(to, seed: result)
        } else if !from.isEmpty {
            result = ~partial(from, seed: ~result)
        }
        return from32to16(result)
    }
}
