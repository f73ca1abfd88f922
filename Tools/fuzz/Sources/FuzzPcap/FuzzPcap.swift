import Pcap

/// One capture in memory: every record read (or the reader's refusal), each frame dissected
/// and converted to Ethernet as `tcx replay` does. Anything but a record or a PcapError is a
/// finding; libFuzzer's -timeout and -rss_limit_mb make a hang or an unbounded allocation one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPcap(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reader = try? CaptureReader(bytes: bytes, name: "fuzz.pcap") else { return 0 }
    _ = reader.interfaces
    // A capture of N bytes holds at most N/16 records: more means the reader loops.
    var records = 0
    while let record = try? reader.next() {
        records += 1
        precondition(records <= size / 16 + 1, "more records than the capture has bytes for")
        _ = record.summary
        _ = Dissector.ethernetFrame(record.data, linkType: record.linkType)
    }
    return 0
}
