// One captured packet as read from, or written to, a capture file.
public struct PcapRecord: Sendable, Equatable {
    public var timestamp: PcapTimestamp
    /// The bytes captured; may be shorter than the packet was on the wire.
    public var data: [UInt8]
    /// The packet's length on the wire (pcap's orig_len).
    public var originalLength: UInt32
    /// The link type of the interface the packet came from.
    public var linkType: LinkType
    /// pcapng interface index; 0 for classic pcap.
    public var interfaceIndex: Int

    public init(timestamp: PcapTimestamp, data: [UInt8], originalLength: UInt32? = nil,
                linkType: LinkType = .ethernet, interfaceIndex: Int = 0) {
        self.timestamp = timestamp
        self.data = data
        self.originalLength = originalLength ?? UInt32(clamping: data.count)
        self.linkType = linkType
        self.interfaceIndex = interfaceIndex
    }

    /// pcap's incl_len.
    public var capturedLength: Int { data.count }
    /// True when the capture kept fewer bytes than the wire carried.
    public var isTruncated: Bool { UInt64(data.count) < UInt64(originalLength) }
}
