import Pcap

extension ReplayCapture {
    /// `--out` writes classic pcap, whose seconds are 32 bits: a capture with a later time is
    /// refused before any file is made, rather than failing halfway through the output. The
    /// check that read the capture whole found the first such frame.
    func requireWritableTimestamps(for output: String) throws(ReplayError) {
        guard let (frame, timestamp) = firstUnwritableTimestamp else { return }
        throw ReplayError("frame \(frame) of the capture is stamped \(timestamp) s, later than classic pcap can hold (\(UInt32.max) s, in 2106), so --out \(output) cannot write it back; nothing was written")
    }
}
