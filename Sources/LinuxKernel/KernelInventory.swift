import BPFCore
import Glibc
import TCX

/// A loaded program as `bpftool prog show` describes it.
public struct ProgramDetails: Hashable, Sendable, Codable {
    public var id: UInt32
    public var type: String
    public var name: String
    /// The kernel's 8-byte tag of the instructions, in hex.
    public var tag: String
    public var gplCompatible: Bool
    /// Nanoseconds since boot, as the kernel keeps it.
    public var loadTime: UInt64
    public var uid: UInt32
    public var translatedBytes: UInt32
    public var jitedBytes: UInt32
    public var mapIDs: [UInt32]
    public var btfID: UInt32
}

/// Any link, of any type, as `bpftool link show` lists it.
public struct LinkSummary: Hashable, Sendable, Codable {
    public var id: UInt32
    /// bpftool's name of the link type: `tcx`, `netkit`, `xdp`, `cgroup`, …
    public var type: String
    public var programID: UInt32
    /// tcx and netkit links: the device (0 once defunct) and the hook.
    public var ifindex: UInt32?
    public var attachType: String?
}

/// The machine's BPF objects by id: every program and link the kernel holds, whoever owns
/// them (BPF_*_GET_NEXT_ID, then a short-lived fd per object to read its info).
extension KernelSystem {
    /// Every program id, in ascending order. Capped at `limit` so a machine with very many
    /// programs cannot make one listing unbounded.
    public func allProgramIDs(limit: Int = 1 << 16) throws(TCXError) -> [UInt32] {
        try world.run { _ throws(TCXError) in try Inventory.ids(.progGetNextID, limit: limit) }
    }

    public func allLinkIDs(limit: Int = 1 << 16) throws(TCXError) -> [UInt32] {
        try world.run { _ throws(TCXError) in try Inventory.ids(.linkGetNextID, limit: limit) }
    }

    /// A program's details by id; nil when it went away meanwhile.
    public func programDetails(id: UInt32) throws(TCXError) -> ProgramDetails? {
        try world.run { _ throws(TCXError) in
            guard let fd = try Inventory.open(.progGetFDByID, id: id) else { return nil }
            defer { Glibc.close(fd) }
            return try Inventory.programDetails(fd)
        }
    }

    /// A program's details by one of this world's handles.
    public func programDetails(_ handle: Handle) throws(TCXError) -> ProgramDetails {
        try world.run { state throws(TCXError) in
            try Inventory.programDetails(try state.owned(handle, "program details").rawValue)
        }
    }

    /// A link's summary by id, whatever its type; nil when it went away meanwhile.
    public func linkSummary(id: UInt32) throws(TCXError) -> LinkSummary? {
        try world.run { _ throws(TCXError) in
            guard let fd = try Inventory.open(.linkGetFDByID, id: id) else { return nil }
            defer { Glibc.close(fd) }
            let info = try ObjectInfo.read(Handle(rawValue: UInt32(bitPattern: fd)), size: LinkInfoLayout.size, expecting: .link)
            let type = info.get32(LinkInfoLayout.type)
            let hooked = type == LinkType.tcx.rawValue || type == LinkType.netkit.rawValue
            let attach = AttachType(rawValue: info.get32(LinkInfoLayout.attachType))
            return LinkSummary(id: info.get32(LinkInfoLayout.id), type: Inventory.linkTypeName(type),
                               programID: info.get32(LinkInfoLayout.progID),
                               ifindex: hooked ? info.get32(LinkInfoLayout.ifindex) : nil,
                               attachType: hooked ? Inventory.attachTypeName(attach) : nil)
        }
    }
}

enum Inventory {
    static func ids(_ command: BPFCommand, limit: Int) throws(TCXError) -> [UInt32] {
        var found: [UInt32] = []
        var start: UInt32 = 0
        while found.count < limit {
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.GetNextID.startID, start)
            switch BPFSyscall.attempt(command, &attr) {
            case .success:
                start = attr.get32(BPFAttr.GetNextID.nextID)
                found.append(start)
            case .failure(.ENOENT):
                return found
            case .failure(let code):
                throw BPFSyscall.failure(command, code, "after id \(start)")
            }
        }
        return found
    }

    /// An fd by id; nil when no object has the id any more.
    static func open(_ command: BPFCommand, id: UInt32) throws(TCXError) -> Int32? {
        do {
            return try ObjectInfo.open(command, id: id)
        } catch where error.errno == .ENOENT {
            return nil
        }
    }

    static func programDetails(_ fd: Int32) throws(TCXError) -> ProgramDetails {
        let handle = Handle(rawValue: UInt32(bitPattern: fd))
        let info = try ObjectInfo.read(handle, size: ProgInfoLayout.size, expecting: .program)
        // A second read with room for the map ids the first one counted (bounded: a program
        // uses at most 64 maps).
        let count = min(Int(info.get32(ProgInfoLayout.mapIDCount)), 64)
        var mapIDs = [UInt32](repeating: 0, count: count)
        if count > 0 {
            var second = KernelStruct(size: ProgInfoLayout.size)
            let outcome = mapIDs.withUnsafeMutableBytes { ids in
                second.set(ProgInfoLayout.mapIDCount, UInt32(count))
                second.set(ProgInfoLayout.mapIDs, pointer: UnsafeRawPointer(ids.baseAddress))
                return second.withUnsafeMutableBytes { buffer in
                    var attr = BPFAttr.zeroed()
                    attr.set(BPFAttr.Info.bpfFD, handle.rawValue)
                    attr.set(BPFAttr.Info.infoLength, UInt32(ProgInfoLayout.size))
                    attr.set(BPFAttr.Info.info, pointer: buffer.baseAddress)
                    return BPFSyscall.attempt(.objGetInfoByFD, &attr)
                }
            }
            if case .failure = outcome { mapIDs = [] }
        }
        let tag = info.bytes[ProgInfoLayout.tag.offset..<ProgInfoLayout.tag.offset + ProgInfoLayout.tag.count]
        return ProgramDetails(id: info.get32(ProgInfoLayout.id),
                              type: ProgramType(rawValue: info.get32(ProgInfoLayout.type)).description,
                              name: info.string(ProgInfoLayout.name),
                              tag: tag.map { String($0, radix: 16).leftPadded(to: 2) }.joined(),
                              gplCompatible: info.get32(ProgInfoLayout.flags) & 1 != 0,
                              loadTime: info.get(ProgInfoLayout.loadTime),
                              uid: info.get32(ProgInfoLayout.createdByUID),
                              translatedBytes: info.get32(ProgInfoLayout.xlatedLength),
                              jitedBytes: info.get32(ProgInfoLayout.jitedLength),
                              mapIDs: mapIDs, btfID: info.get32(ProgInfoLayout.btfID))
    }

    /// bpftool's names for `enum bpf_link_type`.
    static func linkTypeName(_ type: UInt32) -> String {
        let names = ["unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event",
                     "kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap"]
        return Int(type) < names.count ? names[Int(type)] : "type \(type)"
    }

    static func attachTypeName(_ type: AttachType) -> String {
        switch type {
        case .tcxIngress: "tcx_ingress"
        case .tcxEgress: "tcx_egress"
        case .netkitPrimary: "netkit_primary"
        case .netkitPeer: "netkit_peer"
        default: "attach type \(type.rawValue)"
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension KernelSystem {
    /// Runs `body` on the world's thread, which sits in the scope's network namespace: what
    /// `HostNetwork` reads there is that namespace's (used by `tcx net show --netns`).
    public func inNetworkNamespace<T>(_ body: () throws(TCXError) -> T) throws(TCXError) -> T {
        try world.run { _ throws(TCXError) in try body() }
    }
}
