import BPFCore
import TCX

/// One classic tc filter on a clsact or ingress qdisc.
public struct HostClassicFilter: Hashable, Sendable {
    /// `clsact/ingress`, `clsact/egress` or `ingress`.
    public var parent: String
    /// The classifier: `bpf` for cls_bpf, else `u32`, `flower`, … (shown without a program).
    public var kind: String
    public var priority: UInt16
    public var handle: UInt32
    /// The ethertype it matches, in host order (0x0003 is ETH_P_ALL).
    public var protocolNumber: UInt16
    /// cls_bpf's TCA_BPF_NAME (what tc was given: `obj.o:[sec]` or a name).
    public var name: String?
    public var programID: UInt32?
    public var directAction: Bool
}

/// rtnetlink traffic control dumps: which ingress-side qdisc a device has, and its filters.
enum TrafficControl {
    static func classicFilters(_ netlink: RouteNetlink, ifindex: UInt32) throws(TCXError) -> [HostClassicFilter] {
        var parents: [(UInt32, String)] = []
        switch try ingressQdiscKind(netlink, ifindex: ifindex) {
        case "clsact": parents = [(HostNetlinkABI.clsactIngress, "clsact/ingress"), (HostNetlinkABI.clsactEgress, "clsact/egress")]
        // The ingress qdisc has one block; its filters are found through the ingress minor.
        case "ingress": parents = [(HostNetlinkABI.clsactIngress, "ingress")]
        default: return []
        }
        var filters: [HostClassicFilter] = []
        for (parent, label) in parents {
            var message = NetlinkMessage(type: HostNetlinkABI.getFilter,
                                         flags: NetlinkABI.flagRequest | NetlinkABI.flagDump)
            message.appendFamilyHeader(tcmsg(ifindex: ifindex, parent: parent))
            let bodies = try netlink.dump(message, "RTM_GETTFILTER ifindex \(ifindex) \(label)")
            filters += bodies.compactMap { filter($0, label) }
        }
        return filters
    }

    /// The kind of the qdisc at ffff: (clsact or ingress), nil when there is none.
    private static func ingressQdiscKind(_ netlink: RouteNetlink, ifindex: UInt32) throws(TCXError) -> String? {
        var message = NetlinkMessage(type: HostNetlinkABI.getQdisc, flags: NetlinkABI.flagRequest | NetlinkABI.flagDump)
        message.appendFamilyHeader(tcmsg(ifindex: ifindex, parent: 0))
        for body in try netlink.dump(message, "RTM_GETQDISC") where body.count >= HostNetlinkABI.tcmsgSize {
            let start = body.startIndex
            // Older kernels dump every device's qdiscs whatever the request says.
            guard NetlinkAttributes.read(UInt32.self, body, start + HostNetlinkABI.tcmIfindex.offset) == ifindex,
                  NetlinkAttributes.read(UInt32.self, body, start + HostNetlinkABI.tcmParent.offset) == HostNetlinkABI.ingressParent
            else { continue }
            return NetlinkAttributes(body[(start + HostNetlinkABI.tcmsgSize)...]).string(HostNetlinkABI.tcaKind)
        }
        return nil
    }

    private static func tcmsg(ifindex: UInt32, parent: UInt32) -> KernelStruct {
        var header = KernelStruct(size: HostNetlinkABI.tcmsgSize)
        header.set(HostNetlinkABI.tcmIfindex, ifindex)
        header.set(HostNetlinkABI.tcmParent, parent)
        return header
    }

    private static func filter(_ body: ArraySlice<UInt8>, _ parent: String) -> HostClassicFilter? {
        guard body.count >= HostNetlinkABI.tcmsgSize else { return nil }
        let start = body.startIndex
        let handle = NetlinkAttributes.read(UInt32.self, body, start + HostNetlinkABI.tcmHandle.offset)
        let info = NetlinkAttributes.read(UInt32.self, body, start + HostNetlinkABI.tcmInfo.offset)
        let attributes = NetlinkAttributes(body[(start + HostNetlinkABI.tcmsgSize)...])
        // Each priority's classifier is dumped once without a filter (handle 0): not a filter.
        guard handle != 0, let kind = attributes.string(HostNetlinkABI.tcaKind) else { return nil }
        let options = kind == "bpf" ? attributes.nested(HostNetlinkABI.tcaOptions) : nil
        return HostClassicFilter(parent: parent, kind: kind, priority: UInt16(info >> 16), handle: handle,
                                 protocolNumber: UInt16(truncatingIfNeeded: info).byteSwapped,
                                 name: options?.string(HostNetlinkABI.tcaBPFName),
                                 programID: options?.u32(HostNetlinkABI.tcaBPFID),
                                 directAction: (options?.u32(HostNetlinkABI.tcaBPFFlags) ?? 0) & HostNetlinkABI.tcaBPFFlagActDirect != 0)
    }
}

/// rtnetlink numbers the read-only host view uses beyond `NetlinkABI`'s link requests.
enum HostNetlinkABI {
    static let iflaLinkNetnsid: UInt16 = 37      // IFLA_LINK_NETNSID

    static let getQdisc: UInt16 = 38             // RTM_GETQDISC
    static let getFilter: UInt16 = 46            // RTM_GETTFILTER

    // struct tcmsg (20 bytes).
    static let tcmsgSize = 20
    static let tcmIfindex = KernelField(4, 4)
    static let tcmHandle = KernelField(8, 4)
    static let tcmParent = KernelField(12, 4)
    static let tcmInfo = KernelField(16, 4)      // filters: priority << 16 | protocol (network order)

    static let ingressParent: UInt32 = 0xFFFF_FFF1  // TC_H_INGRESS == TC_H_CLSACT: the qdisc at ffff:
    static let clsactIngress: UInt32 = 0xFFFF_FFF2  // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
    static let clsactEgress: UInt32 = 0xFFFF_FFF3   // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

    static let tcaKind: UInt16 = 1               // TCA_KIND
    static let tcaOptions: UInt16 = 2            // TCA_OPTIONS
    static let tcaBPFName: UInt16 = 7            // TCA_BPF_NAME
    static let tcaBPFFlags: UInt16 = 8           // TCA_BPF_FLAGS
    static let tcaBPFID: UInt16 = 11             // TCA_BPF_ID
    static let tcaBPFFlagActDirect: UInt32 = 1   // TCA_BPF_FLAG_ACT_DIRECT
}
