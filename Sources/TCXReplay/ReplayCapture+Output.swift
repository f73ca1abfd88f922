import Pcap

extension ReplayCapture {
    /// `--out` writes classic pcap, whose seconds are 32 bits: a capture with a later time is
    /// refused before any file is made, rather than failing halfway through the output. (One
    /// more pass over a file, and only with --out.)
    func requireWritableTimestamps(for output: String) throws(ReplayError) {
        var index = 0
        try forEachFrame { frame throws(ReplayError) in
            index += 1
            guard PcapWriter.canWrite(frame.timestamp) else {
                throw ReplayError("frame \(index) of the capture is stamped \(frame.timestamp) s, later than classic pcap can hold (\(UInt32.max) s, in 2106), so --out \(output) cannot write it back; nothing was written")
            }
        }
    }
}
