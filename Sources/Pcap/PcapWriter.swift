// Writes classic pcap (little-endian, microseconds, version 2.4): the format every tool reads.
// Each record goes straight to a stdio buffer, so memory use does not grow with the capture.
public final class PcapWriter {
    private let file: CFile
    public let linkType: LinkType
    public let snaplen: UInt32
    public private(set) var recordCount = 0
    private var isClosed = false

    public var path: String { file.path }

    /// Creates (or truncates) `path` and writes the file header.
    public init(path: String, linkType: LinkType = .ethernet, snaplen: UInt32 = 262_144) throws(PcapError) {
        guard snaplen > 0 else { throw PcapError(.invalidArgument("snaplen must be positive"), file: path) }
        file = try CFile(path: path, mode: "wb")
        self.linkType = linkType
        self.snaplen = snaplen
        let header = PcapWriter.fileHeader(linkType: linkType, snaplen: snaplen)
        try file.write(header[...])
    }

    deinit { try? file.close() }

    /// Appends one record. Bytes beyond snaplen are cut, as a capture would; `originalLength`
    /// defaults to the bytes given and is raised to at least what is stored.
    public func write(timestamp: PcapTimestamp, bytes: [UInt8], originalLength: UInt32? = nil) throws(PcapError) {
        guard !isClosed else { throw PcapError(.closed, file: path) }
        guard PcapWriter.canWrite(timestamp) else {
            throw PcapError(.invalidArgument("timestamp \(timestamp.seconds) s does not fit classic pcap"), file: path)
        }
        let kept = min(bytes.count, Int(snaplen))
        let original = max(originalLength ?? UInt32(clamping: bytes.count), UInt32(kept))
        let header = PcapWriter.recordHeader(timestamp: timestamp, capturedLength: UInt32(kept),
                                             originalLength: original)
        try file.write(header[...])
        try file.write(bytes[0..<kept])
        recordCount += 1
    }

    /// Appends a record read elsewhere; its link type is not checked against the file's.
    public func write(_ record: PcapRecord) throws(PcapError) {
        try write(timestamp: record.timestamp, bytes: record.data, originalLength: record.originalLength)
    }

    /// Pushes buffered records to the file so another process can read them now.
    public func flush() throws(PcapError) {
        guard !isClosed else { throw PcapError(.closed, file: path) }
        try file.flush()
    }

    /// Flushes and closes; reports write errors that a silent deinit would lose. Safe to repeat.
    public func close() throws(PcapError) {
        guard !isClosed else { return }
        isClosed = true
        try file.close()
    }

    /// Classic pcap keeps seconds in 32 bits: nothing after 2106-02-07.
    public static func canWrite(_ timestamp: PcapTimestamp) -> Bool {
        timestamp.seconds <= UInt64(UInt32.max)
    }

    static func fileHeader(linkType: LinkType, snaplen: UInt32) -> [UInt8] {
        var e = ByteEncoder(bigEndian: false, capacity: 24)
        e.u32(0xa1b2_c3d4)
        e.u16(2)
        e.u16(4)
        e.u32(0)  // thiszone: timestamps are UTC
        e.u32(0)  // sigfigs: always 0 in practice
        e.u32(snaplen)
        e.u32(UInt32(linkType.rawValue))
        return e.bytes
    }

    static func recordHeader(timestamp: PcapTimestamp, capturedLength: UInt32, originalLength: UInt32) -> [UInt8] {
        var e = ByteEncoder(bigEndian: false, capacity: 16)
        e.u32(UInt32(truncatingIfNeeded: timestamp.seconds))
        e.u32(timestamp.microseconds)
        e.u32(capturedLength)
        e.u32(originalLength)
        return e.bytes
    }
}
