/// Where a BPF printf writes: the first `capacity` bytes of the text are kept, every byte is
/// counted, as the kernel's bstr_printf returns the length the whole text would have had.
/// A width reaches 8,388,607 and a text can be 12 of them long, so padding is counted, never
/// built.
struct PrintfOutput {
    /// MAX_BPRINTF_BUF: the kernel prints trace_printk and trace_vprintk lines into a buffer of
    /// 1024 bytes, so a line shows at most 1023 (the helper still returns the whole length).
    static let traceLineCapacity = 1023

    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var length = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Counts without keeping: to check a format before anything is written.
    static var counting: PrintfOutput { PrintfOutput(UnsafeMutableRawBufferPointer(start: nil, count: 0)) }

    /// The bytes kept.
    var kept: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<min(length, buffer.count)]) }

    mutating func append(_ byte: UInt8) {
        if length < buffer.count { buffer[length] = byte }
        length += 1
    }

    mutating func append(_ byte: UInt8, repeated count: Int) {
        guard count > 0 else { return }
        let room = max(0, min(count, buffer.count - length))
        if room > 0 { buffer.baseAddress.unsafelyUnwrapped.advanced(by: length).initializeMemory(as: UInt8.self, repeating: byte, count: room) }
        length += count
    }

    mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { append(byte) }
    }
}
