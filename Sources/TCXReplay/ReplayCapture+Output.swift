import Pcap

extension ReplayCapture {
    /// `--out` writes classic pcap, whose seconds are 32 bits: a capture with a later time is
    /// refused before any file is made, rather than failing halfway through the output.
    func requireWritableTimestamps(for output: String) throws(ReplayError) {
        guard let index = frames.firstIndex(where: { !PcapWriter.canWrite($0.timestamp) }) else { return }
        throw ReplayError("frame \(index + 1) of the capture is stamped \(frames[index].timestamp) s, later than classic pcap can hold (\(UInt32.max) s, in 2106), so --out \(output) cannot write it back; nothing was written")
    }
}
