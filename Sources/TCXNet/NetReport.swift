/// What `tcx net show` reports: every device with its hooks and their attachments in order.
///
/// Plain data, so it encodes to JSON as is and compares with `==` (two reports of an
/// unchanged world are equal). An absent `linkID` is a prog-mode attachment; an absent
/// `classic` means the source cannot show classic tc, an empty one that there is none.
public struct NetReport: Codable, Hashable, Sendable {
    /// `embedded` or `kernel` for a world, `host` for the real machine.
    public var source: String
    public var devices: [Device]

    public init(source: String, devices: [Device]) {
        self.source = source
        self.devices = devices
    }

    public struct Device: Codable, Hashable, Sendable {
        public var name: String
        public var ifindex: UInt32
        /// `loopback`, `veth`, `netkit-primary`, `netkit-peer`; on the host also the link kind
        /// (`bridge`, `ifb`, …) or `device`.
        public var kind: String
        public var peer: Peer?
        /// tcx ingress and egress, then netkit primary and peer on a netkit primary.
        public var hooks: [Hook]
        public var classic: [ClassicFilter]?

        public init(name: String, ifindex: UInt32, kind: String, peer: Peer?, hooks: [Hook], classic: [ClassicFilter]?) {
            self.name = name
            self.ifindex = ifindex
            self.kind = kind
            self.peer = peer
            self.hooks = hooks
            self.classic = classic
        }
    }

    public struct Peer: Codable, Hashable, Sendable {
        public var ifindex: UInt32
        /// nil when no device of the source has that ifindex.
        public var name: String?

        public init(ifindex: UInt32, name: String?) {
            self.ifindex = ifindex
            self.name = name
        }
    }

    public struct Hook: Codable, Hashable, Sendable {
        /// `tcx/ingress`, `tcx/egress`, `netkit/primary` or `netkit/peer`.
        public var name: String
        public var revision: UInt64
        public var count: UInt32
        /// In execution order.
        public var entries: [Entry]

        public init(name: String, revision: UInt64, count: UInt32, entries: [Entry]) {
            self.name = name
            self.revision = revision
            self.count = count
            self.entries = entries
        }
    }

    public struct Entry: Codable, Hashable, Sendable {
        public var programID: UInt32
        /// nil when the program went away between the query and the lookup.
        public var programName: String?
        /// `sched_cls`, …; nil as for the name.
        public var programType: String?
        /// nil for a prog-mode attachment.
        public var linkID: UInt32?

        public init(programID: UInt32, programName: String?, programType: String?, linkID: UInt32?) {
            self.programID = programID
            self.programName = programName
            self.programType = programType
            self.linkID = linkID
        }
    }

    /// A classic tc filter (cls_bpf or another classifier) on a clsact or ingress qdisc.
    public struct ClassicFilter: Codable, Hashable, Sendable {
        /// `clsact/ingress`, `clsact/egress` or `ingress`.
        public var parent: String
        public var kind: String
        public var priority: UInt16
        public var handle: UInt32
        public var protocolNumber: UInt16
        /// cls_bpf's own name for the filter (`obj.o:[sec]`).
        public var name: String?
        public var programID: UInt32?
        public var programName: String?
        public var directAction: Bool

        public init(parent: String, kind: String, priority: UInt16, handle: UInt32, protocolNumber: UInt16,
                    name: String?, programID: UInt32?, programName: String?, directAction: Bool) {
            self.parent = parent
            self.kind = kind
            self.priority = priority
            self.handle = handle
            self.protocolNumber = protocolNumber
            self.name = name
            self.programID = programID
            self.programName = programName
            self.directAction = directAction
        }
    }
}
