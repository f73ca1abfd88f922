import BPFCore
import Glibc
import TCX

/// A device of the caller's network namespace, as RTM_GETLINK reports it.
public struct HostDevice: Hashable, Sendable {
    public var name: String
    public var ifindex: UInt32
    /// `loopback`, `veth`, `netkit-primary`, `netkit-peer`, another IFLA_INFO_KIND (`bridge`,
    /// `ifb`, …), or `device` for hardware without one.
    public var kind: String
    /// The other end of a veth or netkit pair; nil when it lives in another namespace.
    public var peerIfindex: UInt32?
    public var isNetkitPrimary: Bool { kind == "netkit-primary" }
}

/// The real machine's network state, read-only: no namespace, no bpffs, no change of any kind.
///
/// Everything runs on the calling thread, so it sees that thread's network namespace (the
/// process's, unless the caller moved it). Only dumps and queries are sent: RTM_GETLINK,
/// RTM_GETQDISC, RTM_GETTFILTER, BPF_PROG_QUERY, BPF_PROG_GET_FD_BY_ID and
/// BPF_OBJ_GET_INFO_BY_FD; every fd a lookup opens is closed before it returns.
public final class HostNetwork {
    private let netlink: RouteNetlink

    public init() throws(TCXError) {
        netlink = try RouteNetlink()
    }

    /// Every device of the namespace, loopback first, then by ifindex.
    public func devices() throws(TCXError) -> [HostDevice] {
        var message = NetlinkMessage(type: NetlinkABI.getLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagDump)
        message.appendLinkHeader()
        let devices = try netlink.dump(message, "RTM_GETLINK").compactMap(Self.device).sorted { $0.ifindex < $1.ifindex }
        return devices.filter { $0.kind == "loopback" } + devices.filter { $0.kind != "loopback" }
    }

    /// BPF_PROG_QUERY on one hook; the default 64 slots hold every entry a hook can have (63).
    public func query(_ target: HookTarget) throws(TCXError) -> QueryReply {
        try HookQuery.run(RawQuery(target: target))
    }

    /// A program's id, type and name by id; nil when no program has that id (any more).
    public func program(id: UInt32) throws(TCXError) -> ProgramInfo? {
        let fd: Int32
        do {
            fd = try ObjectInfo.open(.progGetFDByID, id: id)
        } catch where error.errno == .ENOENT {
            return nil
        }
        defer { Glibc.close(fd) }
        let handle = Handle(rawValue: UInt32(bitPattern: fd))
        let info = try ObjectInfo.read(handle, size: ProgInfoLayout.size, expecting: .program)
        return ProgramInfo(id: info.get32(ProgInfoLayout.id),
                           type: ProgramType(rawValue: info.get32(ProgInfoLayout.type)),
                           name: info.string(ProgInfoLayout.name))
    }

    /// The classic tc filters on a device's clsact or ingress qdisc, in the order tc runs them.
    public func classicFilters(ifindex: UInt32) throws(TCXError) -> [HostClassicFilter] {
        try TrafficControl.classicFilters(netlink, ifindex: ifindex)
    }

    private static func device(_ body: ArraySlice<UInt8>) -> HostDevice? {
        guard body.count >= NetlinkABI.ifinfoSize else { return nil }
        let start = body.startIndex
        let attributes = NetlinkAttributes(body[(start + NetlinkABI.ifinfoSize)...])
        let linkInfo = attributes.nested(NetlinkABI.iflaLinkinfo)
        let arpType = NetlinkAttributes.read(UInt16.self, body, start + NetlinkABI.ifinfoType.offset)
        let kind: String
        switch (arpType, linkInfo?.string(NetlinkABI.iflaInfoKind)) {
        case (NetlinkABI.arphrdLoopback, _): kind = "loopback"
        case (_, "netkit"):
            let primary = linkInfo?.nested(NetlinkABI.iflaInfoData)?.u8(NetlinkABI.netkitPrimary) ?? 0
            kind = primary != 0 ? "netkit-primary" : "netkit-peer"
        case (_, let other?): kind = other
        case (_, nil): kind = "device"
        }
        // A pair's IFLA_LINK names the peer; with IFLA_LINK_NETNSID that index is another
        // namespace's, and means nothing here.
        let paired = kind == "veth" || kind.hasPrefix("netkit")
        let foreign = attributes.u32(HostNetlinkABI.iflaLinkNetnsid) != nil
        return HostDevice(name: attributes.string(NetlinkABI.iflaIfname) ?? "",
                          ifindex: NetlinkAttributes.read(UInt32.self, body, start + NetlinkABI.ifinfoIndex.offset),
                          kind: kind,
                          peerIfindex: paired && !foreign ? attributes.u32(NetlinkABI.iflaLink) : nil)
    }
}
