// One error type for every failure: which file, where in it, and what was wrong.
public struct PcapError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// fopen failed; errno attached.
        case cannotOpen(errno: Int32)
        /// A read or write call failed; errno attached.
        case io(operation: String, errno: Int32)
        /// The first four bytes are neither a pcap nor a pcapng magic number.
        case unknownMagic(UInt32)
        /// The file (or block) ended before a structure did.
        case truncated(what: String, expected: Int, found: Int)
        /// A length field that cannot be right (too large, too small, misaligned).
        case badLength(what: String, value: UInt64)
        /// A pcapng structure that breaks the format's rules.
        case malformed(String)
        /// A format feature this reader does not handle.
        case unsupported(String)
        /// A caller passed something the writer cannot represent.
        case invalidArgument(String)
        /// The writer was already closed.
        case closed
    }

    public var kind: Kind
    /// The path, or a name given for in-memory data.
    public var file: String
    /// Byte offset in the file where the bad structure starts, when known.
    public var offset: UInt64?

    public init(_ kind: Kind, file: String, offset: UInt64? = nil) {
        self.kind = kind
        self.file = file
        self.offset = offset
    }

    public var description: String {
        var s = file
        if let offset { s += " at offset \(offset)" }
        return s + ": " + message
    }

    /// The message without file and offset.
    public var message: String {
        switch kind {
        case .cannotOpen(let e): return "cannot open (\(errnoText(e)))"
        case .io(let op, let e): return "\(op) failed (\(errnoText(e)))"
        case .unknownMagic(let m): return "not a pcap or pcapng file (magic 0x\(hex(m, width: 8)))"
        case .truncated(let what, let expected, let found):
            return "truncated \(what): expected \(expected) bytes, found \(found)"
        case .badLength(let what, let value): return "bad \(what) \(value)"
        case .malformed(let m): return "malformed: \(m)"
        case .unsupported(let m): return "unsupported: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .closed: return "writer is closed"
        }
    }
}

func hex<T: BinaryInteger>(_ v: T, width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}
