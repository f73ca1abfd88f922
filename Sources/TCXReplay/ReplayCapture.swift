import Pcap

/// The frames of a capture, replayed in every phase, as Ethernet. A file is streamed: read once
/// to check it whole (a capture that stops in the middle of a record is refused before anything
/// runs) and again in each phase, one record at a time, so a capture of any size replays in
/// constant memory.
public struct ReplayCapture: Sendable {
    public struct Frame: Sendable {
        public let timestamp: PcapTimestamp
        public let bytes: [UInt8]
        public init(timestamp: PcapTimestamp, bytes: [UInt8]) {
            self.timestamp = timestamp
            self.bytes = bytes
        }
    }

    private enum Source: Sendable {
        case memory([Frame])
        case file(String)
    }

    private let source: Source
    /// Ethernet frames replayed per phase.
    public let frameCount: Int
    /// Records that are not Ethernet and cannot be made so (SLL and raw IP are converted).
    public let skipped: Int
    /// The first frame (1-based) whose time classic pcap cannot hold, and that time: `--out`
    /// refuses such a capture before it writes anything.
    let firstUnwritableTimestamp: (frame: Int, timestamp: PcapTimestamp)?

    public init(frames: [Frame], skipped: Int = 0) {
        source = .memory(frames)
        frameCount = frames.count
        self.skipped = skipped
        firstUnwritableTimestamp = frames.firstIndex { !PcapWriter.canWrite($0.timestamp) }
            .map { ($0 + 1, frames[$0].timestamp) }
    }

    /// Checks a pcap or pcapng file from end to end, keeping only its counts and the first
    /// time `--out` could not write back.
    public init(path: String) throws(ReplayError) {
        var frames = 0, skipped = 0
        var unwritable: (frame: Int, timestamp: PcapTimestamp)?
        try Self.stream(path) { frame throws(ReplayError) in
            frames += 1
            if unwritable == nil, !PcapWriter.canWrite(frame.timestamp) { unwritable = (frames, frame.timestamp) }
        } skipped: { skipped += 1 }
        source = .file(path)
        frameCount = frames
        self.skipped = skipped
        firstUnwritableTimestamp = unwritable
    }

    /// Calls `body` with every frame in order; a file is read again, record by record.
    public func forEachFrame(_ body: (Frame) throws(ReplayError) -> Void) throws(ReplayError) {
        switch source {
        case .memory(let frames):
            for frame in frames { try body(frame) }
        case .file(let path):
            var seen = 0
            try Self.stream(path) { frame throws(ReplayError) in
                seen += 1
                try body(frame)
            } skipped: {}
            // The file was checked whole before the first phase: it must not have changed since.
            guard seen == frameCount else {
                throw ReplayError("\(path): the capture changed while it was replayed (\(seen) frames, \(frameCount) before)")
            }
        }
    }

    private static func stream(_ path: String, frame: (Frame) throws(ReplayError) -> Void,
                               skipped: () -> Void) throws(ReplayError) {
        let reader: CaptureReader
        // A PcapError names the file and the offset itself.
        do { reader = try CaptureReader(path: path) } catch { throw ReplayError("\(error)") }
        var records = 0
        while true {
            let record: PcapRecord?
            do { record = try reader.next() } catch { throw ReplayError("\(error) (after \(records) record(s))") }
            guard let record else { break }
            records += 1
            guard case .converted(let bytes) = Dissector.ethernetFrame(record.data, linkType: record.linkType) else {
                skipped()
                continue
            }
            try frame(Frame(timestamp: record.timestamp, bytes: bytes))
        }
    }
}
