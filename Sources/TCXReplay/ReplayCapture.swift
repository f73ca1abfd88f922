import Pcap

/// The frames of a capture, read once and replayed in every phase, as Ethernet.
public struct ReplayCapture: Sendable {
    public struct Frame: Sendable {
        public let timestamp: PcapTimestamp
        public let bytes: [UInt8]
        public init(timestamp: PcapTimestamp, bytes: [UInt8]) {
            self.timestamp = timestamp
            self.bytes = bytes
        }
    }

    public let frames: [Frame]
    /// Records that are not Ethernet and cannot be made so (SLL and raw IP are converted).
    public let skipped: Int

    public init(frames: [Frame], skipped: Int = 0) {
        self.frames = frames
        self.skipped = skipped
    }

    /// Reads a pcap or pcapng file. A file that stops in the middle of a record is an error:
    /// replaying part of it would look like a complete run.
    public init(path: String) throws(ReplayError) {
        let reader: CaptureReader
        do { reader = try CaptureReader(path: path) } catch { throw ReplayError("\(path): \(error)") }
        var frames: [Frame] = []
        var skipped = 0
        while true {
            let record: PcapRecord?
            do { record = try reader.next() } catch { throw ReplayError("\(path): stopped after \(frames.count + skipped) record(s): \(error)") }
            guard let record else { break }
            guard case .converted(let bytes) = Dissector.ethernetFrame(record.data, linkType: record.linkType) else {
                skipped += 1
                continue
            }
            frames.append(Frame(timestamp: record.timestamp, bytes: bytes))
        }
        self.init(frames: frames, skipped: skipped)
    }
}
