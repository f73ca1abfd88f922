/// A fixed-size record whose bytes were checked to lie inside the buffer, read little-endian.
struct Record {
    let bytes: [UInt8]
    let base: Int

    /// Nil when `size` bytes at `offset` do not fit in `bytes`.
    init?(_ bytes: [UInt8], at offset: Int, size: Int) {
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else { return nil }
        self.bytes = bytes
        self.base = offset
    }

    func u8(_ at: Int) -> UInt8 { bytes[base + at] }
    func u16(_ at: Int) -> UInt16 { UInt16(bytes[base + at]) | UInt16(bytes[base + at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}

/// The byte range `offset ..< offset + count` if it lies inside a buffer of `limit` bytes.
func checkedRange(offset: UInt64, count: UInt64, limit: Int) -> Range<Int>? {
    guard let start = Int(exactly: offset), let length = Int(exactly: count),
          start <= limit, length <= limit - start else { return nil }
    return start ..< start + length
}

/// The NUL-terminated string at `offset` of a string table; nil if it runs off the end.
func cString(in table: ArraySlice<UInt8>, at offset: UInt32) -> String? {
    guard let rel = Int(exactly: offset), rel < table.count else { return nil }
    let start = table.startIndex + rel
    guard let end = table[start...].firstIndex(of: 0) else { return nil }
    return String(decoding: table[start ..< end], as: UTF8.self)
}
