/// Bob Jenkins' lookup3 hash as the kernel's `jhash()` computes it (include/linux/jhash.h):
/// words read in the machine's byte order (little-endian here), the tail byte by byte. A SOCKHASH
/// places its keys by `jhash(key, key_size, 0)`, which makes its key walk order a function of
/// the keys alone, so the embedded walk can follow the kernel's.
enum JenkinsHash {
    static let initialValue: UInt32 = 0xdead_beef

    static func hash(_ key: [UInt8], seed: UInt32) -> UInt32 {
        var a = initialValue &+ UInt32(truncatingIfNeeded: key.count) &+ seed
        var b = a, c = a
        var offset = 0, remaining = key.count
        func word(_ at: Int) -> UInt32 {
            UInt32(key[at]) | UInt32(key[at + 1]) << 8 | UInt32(key[at + 2]) << 16 | UInt32(key[at + 3]) << 24
        }
        while remaining > 12 {
            a &+= word(offset)
            b &+= word(offset + 4)
            c &+= word(offset + 8)
            mix(&a, &b, &c)
            offset += 12
            remaining -= 12
        }
        guard remaining > 0 else { return c }
        // The tail: byte i of the last block goes to a, b or c at bit 8 * (i % 4).
        for index in 0..<remaining {
            let byte = UInt32(key[offset + index]) << (8 * UInt32(index % 4))
            switch index / 4 {
            case 0: a &+= byte
            case 1: b &+= byte
            default: c &+= byte
            }
        }
        final(&a, &b, &c)
        return c
    }

    private static func rotate(_ x: UInt32, _ by: UInt32) -> UInt32 { x << by | x >> (32 - by) }

    private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c; a ^= rotate(c, 4); c &+= b
        b &-= a; b ^= rotate(a, 6); a &+= c
        c &-= b; c ^= rotate(b, 8); b &+= a
        a &-= c; a ^= rotate(c, 16); c &+= b
        b &-= a; b ^= rotate(a, 19); a &+= c
        c &-= b; c ^= rotate(b, 4); b &+= a
    }

    private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b; c &-= rotate(b, 14)
        a ^= c; a &-= rotate(c, 11)
        b ^= a; b &-= rotate(a, 25)
        c ^= b; c &-= rotate(b, 16)
        a ^= c; a &-= rotate(c, 4)
        b ^= a; b &-= rotate(a, 14)
        c ^= b; c &-= rotate(b, 24)
    }
}
