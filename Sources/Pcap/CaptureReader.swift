// Reads classic pcap or pcapng, chosen by the file's magic number, one record at a time,
// so a capture of any size streams through without being held in memory.
public final class CaptureReader {
    private enum Parser {
        case classic(ClassicPcapParser)
        case pcapng(PcapngParser)
    }

    private let parser: Parser
    private var pending: Result<PcapRecord?, PcapError>?
    private var finished = false

    public let format: CaptureFormat
    /// The path, or the name given for in-memory data.
    public let name: String

    /// Opens a file and reads its header. Throws when the file cannot be opened or is not a capture.
    public convenience init(path: String) throws(PcapError) {
        try self.init(source: try FileByteSource(path: path))
    }

    /// Reads a capture held in memory (tests, fuzzing, data from elsewhere).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(PcapError) {
        try self.init(source: MemoryByteSource(bytes: bytes, name: name))
    }

    private init(source: ByteSource) throws(PcapError) {
        name = source.name
        let magic = try source.read(4)
        guard magic.count == 4 else {
            throw PcapError(.truncated(what: "file header", expected: 4, found: magic.count), file: name, offset: 0)
        }
        switch ByteFields(magic, bigEndian: true).u32(0) {
        case 0x0A0D_0D0A:
            let p = PcapngParser(source: source, magic: magic)
            pending = p.readUntilFirstInterface()
            parser = .pcapng(p)
            format = .pcapng
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1:
            let p = try ClassicPcapParser(source: source, magic: magic)
            parser = .classic(p)
            format = .pcap(p.header)
        case let m:
            throw PcapError(.unknownMagic(m), file: name, offset: 0)
        }
    }

    /// Interfaces described so far: one for classic pcap; pcapng may add more as it goes.
    public var interfaces: [PcapInterface] {
        switch parser {
        case .classic(let p): return [p.interface]
        case .pcapng(let p): return p.interfaces
        }
    }

    /// The link type of the first interface, nil for a pcapng file with no interface (yet).
    public var linkType: LinkType? { interfaces.first?.linkType }

    /// The first interface's snapshot length (0 = unlimited in pcapng).
    public var snaplen: UInt32? { interfaces.first?.snaplen }

    /// Bytes consumed so far: where the next record starts.
    public var offset: UInt64 {
        switch parser {
        case .classic(let p): return p.offset
        case .pcapng(let p): return p.offset
        }
    }

    /// The next record, nil at a clean end. After an error it returns nil: the file's
    /// remainder cannot be trusted, and the error already said where it went wrong.
    public func next() throws(PcapError) -> PcapRecord? {
        if finished { return nil }
        if let p = pending {
            pending = nil
            switch p {
            case .success(let r?): return r
            case .success(nil): finished = true; return nil
            case .failure(let e): finished = true; throw e
            }
        }
        do throws(PcapError) {
            let r: PcapRecord?
            switch parser {
            case .classic(let p): r = try p.next()
            case .pcapng(let p): r = try p.next()
            }
            if r == nil { finished = true }
            return r
        } catch {
            finished = true
            throw error
        }
    }
}

/// Everything a file held, and why reading stopped early if it did.
public struct CaptureContents: Sendable {
    public var format: CaptureFormat?
    public var interfaces: [PcapInterface]
    /// Every record read before the end or the error.
    public var records: [PcapRecord]
    /// Set when the file could not be read to its end (for example a truncated tail).
    public var error: PcapError?
}

extension CaptureReader {
    /// Reads a whole file, keeping what was readable before any error.
    public static func readAll(path: String) -> CaptureContents {
        collect { () throws(PcapError) in try CaptureReader(path: path) }
    }

    public static func readAll(bytes: [UInt8], name: String = "<memory>") -> CaptureContents {
        collect { () throws(PcapError) in try CaptureReader(bytes: bytes, name: name) }
    }

    private static func collect(_ open: () throws(PcapError) -> CaptureReader) -> CaptureContents {
        var out = CaptureContents(format: nil, interfaces: [], records: [], error: nil)
        do throws(PcapError) {
            let reader = try open()
            out.format = reader.format
            defer { out.interfaces = reader.interfaces }
            while let r = try reader.next() { out.records.append(r) }
        } catch {
            out.error = error
        }
        return out
    }
}
