import BPFCore

/// Names a program or link already on a hook, by handle or by id.
public enum AnchorObject: Hashable, Sendable, CustomStringConvertible {
    case program(Handle)
    case programID(UInt32)
    case link(Handle)
    case linkID(UInt32)

    public var description: String {
        switch self {
        case .program(let handle): "program \(handle)"
        case .programID(let id): "program id \(id)"
        case .link(let handle): "link \(handle)"
        case .linkID(let id): "link id \(id)"
        }
    }

    /// The flag bits and relative value that name this object to the kernel.
    public var encoded: (flags: AttachFlags, relative: UInt32) {
        switch self {
        case .program(let handle): ([], handle.rawValue)
        case .programID(let id): ([.id], id)
        case .link(let handle): ([.link], handle.rawValue)
        case .linkID(let id): ([.link, .id], id)
        }
    }
}

/// Where a new program goes in a hook's order, in the style of cilium/ebpf's anchors.
public enum Anchor: Hashable, Sendable, CustomStringConvertible {
    /// First in the chain.
    case head
    /// Last in the chain (the default).
    case tail
    /// Directly before the given program or link.
    case before(AnchorObject)
    /// Directly after the given program or link.
    case after(AnchorObject)

    public var description: String {
        switch self {
        case .head: "head"
        case .tail: "tail"
        case .before(let object): "before \(object)"
        case .after(let object): "after \(object)"
        }
    }

    /// The flag bits and relative fd or id this anchor puts in a raw request.
    public var encoded: (flags: AttachFlags, relative: UInt32) {
        switch self {
        case .head: ([.before], 0)
        case .tail: ([], 0)
        case .before(let object):
            (object.encoded.flags.union(.before), object.encoded.relative)
        case .after(let object):
            (object.encoded.flags.union(.after), object.encoded.relative)
        }
    }
}

/// The state of one hook, as a query reports it.
public struct HookState: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let programID: UInt32
        /// nil for a prog-mode attachment.
        public let linkID: UInt32?
    }
    public let revision: UInt64
    public let entries: [Entry]
}
