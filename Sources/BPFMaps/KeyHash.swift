/// A fixed-seed hash of key bytes: 8 bytes at a time, mixed with multiply-xorshift. The kernel
/// seeds jhash randomly, so its iteration order is not reproducible anyway; ours is.
@inline(__always)
func hashKey(_ key: UnsafeRawPointer, _ count: Int) -> UInt32 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
    var offset = 0
    while offset + 8 <= count {
        h = mix(h ^ key.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
    }
    if offset < count {
        var tail: UInt64 = 0
        for i in offset..<count { tail |= UInt64(key.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i - offset)) }
        h = mix(h ^ tail)
    }
    return UInt32(truncatingIfNeeded: h ^ (h >> 32))
}

@inline(__always)
private func mix(_ x: UInt64) -> UInt64 {
    var z = x &* 0xBF58_476D_1CE4_E5B9
    z ^= z >> 31
    z = z &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 29)
}
