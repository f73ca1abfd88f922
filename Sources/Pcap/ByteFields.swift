// Integer fields out of a byte array in either byte order. Reads past the end give 0
// instead of trapping; callers check lengths first, this is the last line of defence.
struct ByteFields {
    let bytes: [UInt8]
    let bigEndian: Bool

    init(_ bytes: [UInt8], bigEndian: Bool) {
        self.bytes = bytes
        self.bigEndian = bigEndian
    }

    var count: Int { bytes.count }

    func u8(_ at: Int) -> UInt8 {
        at >= 0 && at < bytes.count ? bytes[at] : 0
    }

    func u16(_ at: Int) -> UInt16 { UInt16(truncatingIfNeeded: load(at, 2)) }
    func u32(_ at: Int) -> UInt32 { UInt32(truncatingIfNeeded: load(at, 4)) }
    func u64(_ at: Int) -> UInt64 { load(at, 8) }

    private func load(_ at: Int, _ width: Int) -> UInt64 {
        guard at >= 0, width <= bytes.count, at <= bytes.count - width else { return 0 }
        var v: UInt64 = 0
        for i in 0..<width {
            let b = UInt64(bytes[at + (bigEndian ? i : width - 1 - i)])
            v = v << 8 | b
        }
        return v
    }

    /// A copy of `count` bytes from `at`, clipped to what exists.
    func slice(_ at: Int, _ count: Int) -> [UInt8] {
        guard at >= 0, at < bytes.count, count > 0 else { return [] }
        let end = at + min(count, bytes.count - at)
        return Array(bytes[at..<end])
    }
}

/// Appends integers in a chosen byte order; used by the writer and by tests' file builders.
struct ByteEncoder {
    var bytes: [UInt8] = []
    let bigEndian: Bool

    init(bigEndian: Bool, capacity: Int = 0) {
        self.bigEndian = bigEndian
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { put(UInt64(v), 2) }
    mutating func u32(_ v: UInt32) { put(UInt64(v), 4) }
    mutating func u64(_ v: UInt64) { put(v, 8) }

    private mutating func put(_ v: UInt64, _ width: Int) {
        for i in 0..<width {
            let shift = UInt64(8 * (bigEndian ? width - 1 - i : i))
            bytes.append(UInt8(truncatingIfNeeded: v >> shift))
        }
    }
}
