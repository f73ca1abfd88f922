// pcapng: a sequence of blocks (type, total length, body, total length again). Each Section
// Header Block sets the byte order and forgets the interfaces of the section before it.
final class PcapngParser {
    static let maxBlockLength: UInt32 = 64 << 20

    enum BlockType {
        static let sectionHeader: UInt32 = 0x0A0D_0D0A
        static let interfaceDescription: UInt32 = 1
        static let obsoletePacket: UInt32 = 2
        static let simplePacket: UInt32 = 3
        static let enhancedPacket: UInt32 = 6
    }

    let source: ByteSource
    private(set) var offset: UInt64 = 0
    private(set) var interfaces: [PcapInterface] = []
    private(set) var bigEndian = false
    private var sawSection = false

    /// `magic` is the first four bytes, already read by the caller.
    init(source: ByteSource, magic: [UInt8]) {
        self.source = source
        pendingMagic = magic
    }

    private var pendingMagic: [UInt8]?

    private func fail(_ kind: PcapError.Kind, at: UInt64) -> PcapError {
        PcapError(kind, file: source.name, offset: at)
    }

    /// Reads blocks until an interface is known (so the reader can report a link type at once),
    /// stopping early at a packet, the end, or an error, which it hands back for later.
    func readUntilFirstInterface() -> Result<PcapRecord?, PcapError>? {
        while interfaces.isEmpty {
            do throws(PcapError) {
                guard let block = try nextBlock() else { return .success(nil) }
                if let record = try handle(block) { return .success(record) }
            } catch {
                return .failure(error)
            }
        }
        return nil
    }

    func next() throws(PcapError) -> PcapRecord? {
        while let block = try nextBlock() {
            if let record = try handle(block) { return record }
        }
        return nil
    }

    struct Block {
        let type: UInt32
        let body: ByteFields
        let start: UInt64
    }

    private func nextBlock() throws(PcapError) -> Block? {
        let start = offset
        var head: [UInt8]
        if let m = pendingMagic {
            pendingMagic = nil
            head = m + (try source.read(4))
        } else {
            head = try source.read(8)
            if head.isEmpty { return nil }
        }
        guard head.count == 8 else {
            throw fail(.truncated(what: "block header", expected: 8, found: head.count), at: start)
        }
        let type = ByteFields(head, bigEndian: false).u32(0)  // the SHB type reads the same both ways
        if type == BlockType.sectionHeader {
            let bom = try source.read(4)
            guard bom.count == 4 else {
                throw fail(.truncated(what: "section header", expected: 12, found: 8 + bom.count), at: start)
            }
            switch ByteFields(bom, bigEndian: false).u32(0) {
            case 0x1A2B_3C4D: bigEndian = false
            case 0x4D3C_2B1A: bigEndian = true
            case let v: throw fail(.malformed("byte-order magic 0x\(hex(v, width: 8))"), at: start + 8)
            }
            head += bom
            sawSection = true
        } else if !sawSection {
            throw fail(.malformed("file does not start with a section header block"), at: start)
        }
        let f = ByteFields(head, bigEndian: bigEndian)
        let blockType = f.u32(0)
        let total = f.u32(4)
        let minimum: UInt32 = blockType == BlockType.sectionHeader ? 28 : 12
        guard total >= minimum, total % 4 == 0, total <= Self.maxBlockLength else {
            throw fail(.badLength(what: "block total length", value: UInt64(total)), at: start + 4)
        }
        let rest = try source.read(Int(total) - head.count)
        guard rest.count == Int(total) - head.count else {
            throw fail(.truncated(what: "block", expected: Int(total), found: head.count + rest.count), at: start)
        }
        let all = ByteFields(head + rest, bigEndian: bigEndian)
        guard all.u32(Int(total) - 4) == total else {
            throw fail(.malformed("trailing block length \(all.u32(Int(total) - 4)) differs from \(total)"),
                       at: start + UInt64(total) - 4)
        }
        offset = start + UInt64(total)
        return Block(type: blockType, body: ByteFields(all.slice(8, Int(total) - 12), bigEndian: bigEndian),
                     start: start)
    }

    private func handle(_ block: Block) throws(PcapError) -> PcapRecord? {
        let b = block.body
        let bodyAt = block.start + 8
        switch block.type {
        case BlockType.sectionHeader:
            let major = b.u16(4)
            guard major == 1 else { throw fail(.unsupported("pcapng version \(major).\(b.u16(6))"), at: bodyAt + 4) }
            interfaces = []
            return nil
        case BlockType.interfaceDescription:
            guard b.count >= 8 else {
                throw fail(.truncated(what: "interface description body", expected: 8, found: b.count), at: bodyAt)
            }
            interfaces.append(try interface(from: b, at: bodyAt))
            return nil
        case BlockType.enhancedPacket:
            return try packet(b, at: bodyAt, interfaceID: b.u32(0), dataAt: 20, what: "enhanced packet")
        case BlockType.obsoletePacket:
            return try packet(b, at: bodyAt, interfaceID: UInt32(b.u16(0)), dataAt: 20, what: "packet block")
        case BlockType.simplePacket:
            guard b.count >= 4 else {
                throw fail(.truncated(what: "simple packet body", expected: 4, found: b.count), at: bodyAt)
            }
            guard let iface = interfaces.first else {
                throw fail(.malformed("simple packet block before any interface description"), at: block.start)
            }
            let original = b.u32(0)
            var caplen = min(Int(original), b.count - 4)
            if iface.snaplen > 0 { caplen = min(caplen, Int(iface.snaplen)) }
            // The format gives no timestamp: zero says "unknown" honestly.
            return PcapRecord(timestamp: PcapTimestamp(seconds: 0), data: b.slice(4, caplen),
                              originalLength: original, linkType: iface.linkType, interfaceIndex: 0)
        default:
            return nil  // statistics, name resolution, custom blocks: not packets
        }
    }

    private func packet(_ b: ByteFields, at bodyAt: UInt64, interfaceID: UInt32, dataAt: Int,
                        what: String) throws(PcapError) -> PcapRecord {
        guard b.count >= dataAt else {
            throw fail(.truncated(what: what + " body", expected: dataAt, found: b.count), at: bodyAt)
        }
        guard Int(interfaceID) < interfaces.count else {
            throw fail(.malformed("\(what) names interface \(interfaceID), only \(interfaces.count) described"),
                       at: bodyAt)
        }
        let iface = interfaces[Int(interfaceID)]
        let caplen = b.u32(12)
        guard Int(caplen) <= b.count - dataAt else {
            throw fail(.badLength(what: what + " captured length", value: UInt64(caplen)), at: bodyAt + 12)
        }
        let ticks = UInt64(b.u32(4)) << 32 | UInt64(b.u32(8))
        return PcapRecord(timestamp: iface.timestamp(ticks: ticks), data: b.slice(dataAt, Int(caplen)),
                          originalLength: b.u32(16), linkType: iface.linkType, interfaceIndex: Int(interfaceID))
    }

    private func interface(from b: ByteFields, at bodyAt: UInt64) throws(PcapError) -> PcapInterface {
        var iface = PcapInterface(linkType: LinkType(rawValue: b.u16(0)), snaplen: b.u32(4))
        var at = 8
        while at + 4 <= b.count {
            let code = b.u16(at)
            let length = Int(b.u16(at + 2))
            if code == 0 { break }  // opt_endofopt
            guard length <= b.count - at - 4 else {
                throw fail(.malformed("interface option \(code) runs past its block"), at: bodyAt + UInt64(at))
            }
            let value = b.slice(at + 4, length)
            switch code {
            case 2:  // if_name
                iface.name = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            case 9 where length >= 1:  // if_tsresol
                let v = value[0]
                if v & 0x80 != 0 {
                    guard v & 0x7F <= 63 else {
                        throw fail(.unsupported("if_tsresol 2^-\(v & 0x7F)"), at: bodyAt + UInt64(at))
                    }
                    iface.resolution = .binary(v & 0x7F)
                } else {
                    guard v <= 19 else { throw fail(.unsupported("if_tsresol 10^-\(v)"), at: bodyAt + UInt64(at)) }
                    iface.resolution = .decimal(v)
                }
            case 14 where length >= 8:  // if_tsoffset
                iface.timestampOffset = Int64(bitPattern: ByteFields(value, bigEndian: b.bigEndian).u64(0))
            default:
                break
            }
            at += 4 + (length + 3) & ~3
        }
        return iface
    }
}
