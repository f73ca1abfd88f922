import BPFCore
import TCX

/// rtnetlink link requests of a world: create, delete and list its devices.
enum Devices {
    /// A device as an RTM_GETLINK dump reports it.
    struct Entry {
        var name: String
        var ifindex: UInt32
        var flags: UInt32
        var arpType: UInt16
        var kind: String?
        var netkitPrimary: Bool
        var link: UInt32?
        var peerIsForeign: Bool
    }

    static func bringUpLoopback(_ netlink: RouteNetlink) throws(TCXError) {
        try bringUp(netlink, ifindex: 1, "lo")
    }

    static func bringUp(_ netlink: RouteNetlink, ifindex: UInt32, _ name: String) throws(TCXError) {
        var message = NetlinkMessage(type: NetlinkABI.newLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck)
        message.appendLinkHeader(index: Int32(bitPattern: ifindex), flags: NetlinkABI.iffUp, change: NetlinkABI.iffUp)
        try netlink.perform(message, "RTM_NEWLINK \(name) up")
    }

    static func createVeth(_ netlink: RouteNetlink, name: String, peer: String) throws(TCXError) -> (UInt32, UInt32) {
        var message = newDevice(name: name)
        message.appendNested(NetlinkABI.iflaLinkinfo) { info in
            info.appendAttribute(NetlinkABI.iflaInfoKind, string: "veth")
            info.appendNested(NetlinkABI.iflaInfoData) { data in
                data.appendNested(NetlinkABI.vethInfoPeer) { peerInfo in
                    peerInfo.appendLinkHeader()
                    peerInfo.appendAttribute(NetlinkABI.iflaIfname, string: peer)
                }
            }
        }
        try netlink.perform(message, "RTM_NEWLINK veth \(name)/\(peer)")
        return try bringUpPair(netlink, name, peer)
    }

    static func createNetkit(_ netlink: RouteNetlink, _ spec: NetkitSpec) throws(TCXError) -> (UInt32, UInt32) {
        // The kernel looks names up before kinds: a taken name is EEXIST even without netkit.
        let taken = Set(try list(netlink).map(\.name))
        for name in [spec.name, spec.peer] where taken.contains(name) {
            throw TCXError(.EEXIST, "RTM_NEWLINK netkit \(spec.name)/\(spec.peer): a device named '\(name)' exists")
        }
        var message = newDevice(name: spec.name)
        message.appendNested(NetlinkABI.iflaLinkinfo) { info in
            info.appendAttribute(NetlinkABI.iflaInfoKind, string: "netkit")
            info.appendNested(NetlinkABI.iflaInfoData) { data in
                data.appendNested(NetlinkABI.netkitPeerInfo) { peerInfo in
                    peerInfo.appendLinkHeader()
                    peerInfo.appendAttribute(NetlinkABI.iflaIfname, string: spec.peer)
                }
                data.appendAttribute(NetlinkABI.netkitMode,
                                     u32: spec.mode == .l2 ? NetlinkABI.netkitModeL2 : NetlinkABI.netkitModeL3)
                data.appendAttribute(NetlinkABI.netkitPolicy, u32: policy(spec.policy))
                data.appendAttribute(NetlinkABI.netkitPeerPolicy, u32: policy(spec.peerPolicy))
            }
        }
        try netlink.perform(message, "RTM_NEWLINK netkit \(spec.name)/\(spec.peer)")
        return try bringUpPair(netlink, spec.name, spec.peer)
    }

    static func delete(_ netlink: RouteNetlink, ifindex: UInt32) throws(TCXError) {
        var message = NetlinkMessage(type: NetlinkABI.delLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck)
        message.appendLinkHeader(index: Int32(bitPattern: ifindex))
        try netlink.perform(message, "RTM_DELLINK ifindex \(ifindex)")
    }

    /// RTM_GETLINK of one device: ENODEV when the namespace has none with that ifindex.
    static func require(_ netlink: RouteNetlink, ifindex: UInt32) throws(TCXError) {
        var message = NetlinkMessage(type: NetlinkABI.getLink, flags: NetlinkABI.flagRequest)
        message.appendLinkHeader(index: Int32(bitPattern: ifindex))
        _ = try netlink.dump(message, "RTM_GETLINK ifindex \(ifindex)")
    }

    /// Every device of the namespace, in ifindex order.
    static func list(_ netlink: RouteNetlink) throws(TCXError) -> [Entry] {
        var message = NetlinkMessage(type: NetlinkABI.getLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagDump)
        message.appendLinkHeader()
        let bodies = try netlink.dump(message, "RTM_GETLINK")
        return bodies.compactMap(entry).sorted { $0.ifindex < $1.ifindex }
    }

    /// The world's devices as the API reports them: loopback first, then by ifindex.
    static func infos(_ netlink: RouteNetlink) throws(TCXError) -> [DeviceInfo] {
        let infos = try list(netlink).map { entry -> DeviceInfo in
            let kind = kind(entry)
            let paired = kind == .veth || kind == .netkitPrimary || kind == .netkitPeer
            // A pair's IFLA_LINK with IFLA_LINK_NETNSID is another namespace's index.
            return DeviceInfo(name: entry.name, ifindex: entry.ifindex, kind: kind,
                              peerIfindex: paired && !entry.peerIsForeign ? entry.link : nil)
        }
        return infos.filter { $0.kind == .loopback } + infos.filter { $0.kind != .loopback }
    }

    private static func kind(_ entry: Entry) -> DeviceKind {
        if entry.arpType == NetlinkABI.arphrdLoopback { return .loopback }
        switch entry.kind {
        case "veth": return .veth
        case "netkit": return entry.netkitPrimary ? .netkitPrimary : .netkitPeer
        case let other?: return .other(other)
        case nil: return .other("device")
        }
    }

    private static func newDevice(name: String) -> NetlinkMessage {
        let flags = NetlinkABI.flagRequest | NetlinkABI.flagAck | NetlinkABI.flagCreate | NetlinkABI.flagExclusive
        var message = NetlinkMessage(type: NetlinkABI.newLink, flags: flags)
        message.appendLinkHeader()
        message.appendAttribute(NetlinkABI.iflaIfname, string: name)
        return message
    }

    private static func policy(_ policy: NetkitPolicy) -> UInt32 {
        policy == .pass ? NetlinkABI.netkitPass : NetlinkABI.netkitDrop
    }

    /// Pairs are created down and brought up afterwards: a veth cannot open before its peer
    /// is linked to it (ENOTCONN), which is the case while the peer is being created.
    private static func bringUpPair(_ netlink: RouteNetlink, _ name: String, _ peer: String) throws(TCXError) -> (UInt32, UInt32) {
        let (first, second) = try indexes(netlink, name, peer)
        do {
            try bringUp(netlink, ifindex: first, name)
            try bringUp(netlink, ifindex: second, peer)
        } catch {
            try? delete(netlink, ifindex: first)
            throw error
        }
        return (first, second)
    }

    private static func indexes(_ netlink: RouteNetlink, _ name: String, _ peer: String) throws(TCXError) -> (UInt32, UInt32) {
        let entries = try list(netlink)
        guard let first = entries.first(where: { $0.name == name }),
              let second = entries.first(where: { $0.name == peer }) else {
            throw TCXError(.ENODEV, "RTM_GETLINK: \(name)/\(peer) not found after creation")
        }
        return (first.ifindex, second.ifindex)
    }

    private static func entry(_ body: ArraySlice<UInt8>) -> Entry? {
        guard body.count >= NetlinkABI.ifinfoSize else { return nil }
        let start = body.startIndex
        let attributes = NetlinkAttributes(body[(start + NetlinkABI.ifinfoSize)...])
        let linkInfo = attributes.nested(NetlinkABI.iflaLinkinfo)
        let data = linkInfo?.nested(NetlinkABI.iflaInfoData)
        return Entry(name: attributes.string(NetlinkABI.iflaIfname) ?? "",
                     ifindex: NetlinkAttributes.read(UInt32.self, body, start + NetlinkABI.ifinfoIndex.offset),
                     flags: NetlinkAttributes.read(UInt32.self, body, start + NetlinkABI.ifinfoFlags.offset),
                     arpType: NetlinkAttributes.read(UInt16.self, body, start + NetlinkABI.ifinfoType.offset),
                     kind: linkInfo?.string(NetlinkABI.iflaInfoKind),
                     netkitPrimary: (data?.u8(NetlinkABI.netkitPrimary) ?? 0) != 0,
                     link: attributes.u32(NetlinkABI.iflaLink),
                     peerIsForeign: attributes.u32(HostNetlinkABI.iflaLinkNetnsid) != nil)
    }
}
