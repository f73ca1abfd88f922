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
            filters += try classicFilters(netlink, ifindex: ifindex, parent: parent, label: label)
        }
        return filters
    }

    /// The filters under one parent (a clsact side), in the order tc runs them.
    static func classicFilters(_ netlink: RouteNetlink, ifindex: UInt32, parent: UInt32,
                               label: String) throws(TCXError) -> [HostClassicFilter] {
        var message = NetlinkMessage(type: HostNetlinkABI.getFilter,
                                     flags: NetlinkABI.flagRequest | NetlinkABI.flagDump)
        message.appendFamilyHeader(tcmsg(ifindex: ifindex, parent: parent))
        let bodies = try netlink.dump(message, "RTM_GETTFILTER ifindex \(ifindex) \(label)")
        return bodies.compactMap { filter($0, label) }
    }

    /// The kind of the qdisc at ffff: (clsact or ingress), nil when there is none.
    static func ingressQdiscKind(_ netlink: RouteNetlink, ifindex: UInt32) throws(TCXError) -> String? {
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

    static func tcmsg(ifindex: UInt32, parent: UInt32, handle: UInt32 = 0, info: UInt32 = 0) -> KernelStruct {
        var header = KernelStruct(size: HostNetlinkABI.tcmsgSize)
        header.set(HostNetlinkABI.tcmIfindex, ifindex)
        header.set(HostNetlinkABI.tcmParent, parent)
        header.set(HostNetlinkABI.tcmHandle, handle)
        header.set(HostNetlinkABI.tcmInfo, info)
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
