import BPFCore
import TCX

/// rtnetlink requests that change classic tc: the clsact qdisc and cls_bpf filters on it.
/// Every refusal names the device, side, priority and handle and keeps the kernel's errno.
enum ClassicFilters {
    /// A clsact side: the filters' parent and how errors name it.
    struct Side {
        let ifindex: UInt32
        let parent: UInt32
        let label: String

        init(_ target: HookTarget) throws(TCXError) {
            switch target.attachType {
            case .tcxIngress: (parent, label) = (HostNetlinkABI.clsactIngress, "ingress")
            case .tcxEgress: (parent, label) = (HostNetlinkABI.clsactEgress, "egress")
            default:
                throw TCXError(.EINVAL, "classic tc on \(target): clsact has an ingress and an egress side only")
            }
            ifindex = target.ifindex
        }

        var description: String { "ifindex \(ifindex) clsact \(label)" }
    }

    /// Makes sure the device has a clsact qdisc. One that is there already is kept; any other
    /// qdisc at ffff: (the older `ingress` qdisc) is refused rather than replaced, since other
    /// tools' filters hang from it.
    static func ensureClsact(_ netlink: RouteNetlink, _ side: Side) throws(TCXError) {
        if try checkedClsact(netlink, side) { return }
        var message = NetlinkMessage(type: HostNetlinkABI.newQdisc, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck
                                     | NetlinkABI.flagCreate | NetlinkABI.flagExclusive)
        message.appendFamilyHeader(TrafficControl.tcmsg(ifindex: side.ifindex, parent: HostNetlinkABI.ingressParent,
                                                        handle: HostNetlinkABI.clsactHandle))
        message.appendAttribute(HostNetlinkABI.tcaKind, string: "clsact")
        do {
            try netlink.perform(message, "RTM_NEWQDISC clsact on ifindex \(side.ifindex)")
        } catch where error.errno == .EEXIST {
            // Someone added a qdisc between the dump and the request: fine if it is clsact.
            guard try checkedClsact(netlink, side) else { throw error }
        }
    }

    /// True when the device has clsact, false when it has no qdisc at ffff:, and a refusal
    /// when it has another one there.
    private static func checkedClsact(_ netlink: RouteNetlink, _ side: Side) throws(TCXError) -> Bool {
        switch try TrafficControl.ingressQdiscKind(netlink, ifindex: side.ifindex) {
        case nil: return false
        case "clsact": return true
        case let kind?:
            throw TCXError(.EEXIST, "RTM_NEWQDISC clsact on ifindex \(side.ifindex): the device has an '\(kind)' qdisc "
                           + "at ffff:, which clsact would have to replace; remove it first (tc qdisc del dev … \(kind))")
        }
    }

    /// RTM_NEWTFILTER: a cls_bpf filter in direct-action mode for every protocol, never
    /// replacing one (NLM_F_EXCL: EEXIST when `priority`/`handle` is taken).
    static func add(_ netlink: RouteNetlink, _ side: Side, program: UInt32, priority: UInt16, handle: UInt32,
                    name: String) throws(TCXError) {
        var message = NetlinkMessage(type: HostNetlinkABI.newFilter, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck
                                     | NetlinkABI.flagCreate | NetlinkABI.flagExclusive)
        message.appendFamilyHeader(TrafficControl.tcmsg(ifindex: side.ifindex, parent: side.parent, handle: handle,
                                                        info: info(priority)))
        message.appendAttribute(HostNetlinkABI.tcaKind, string: "bpf")
        message.appendNested(HostNetlinkABI.tcaOptions) { options in
            options.appendAttribute(HostNetlinkABI.tcaBPFFD, u32: program)
            options.appendAttribute(HostNetlinkABI.tcaBPFName, string: name)
            options.appendAttribute(HostNetlinkABI.tcaBPFFlags, u32: HostNetlinkABI.tcaBPFFlagActDirect)
        }
        try netlink.perform(message, "RTM_NEWTFILTER bpf fd \(program) on \(side.description) prio \(priority) handle \(handle)")
    }

    /// RTM_DELTFILTER of one cls_bpf filter.
    static func remove(_ netlink: RouteNetlink, _ side: Side, priority: UInt16, handle: UInt32) throws(TCXError) {
        var message = NetlinkMessage(type: HostNetlinkABI.delFilter, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck)
        message.appendFamilyHeader(TrafficControl.tcmsg(ifindex: side.ifindex, parent: side.parent, handle: handle,
                                                        info: info(priority)))
        message.appendAttribute(HostNetlinkABI.tcaKind, string: "bpf")
        try netlink.perform(message, "RTM_DELTFILTER bpf on \(side.description) prio \(priority) handle \(handle)")
    }

    /// The side's filters in run order, as the API reports them.
    static func list(_ netlink: RouteNetlink, _ side: Side) throws(TCXError) -> [ClassicFilterInfo] {
        guard try TrafficControl.ingressQdiscKind(netlink, ifindex: side.ifindex) == "clsact" else { return [] }
        return try TrafficControl.classicFilters(netlink, ifindex: side.ifindex, parent: side.parent, label: side.label)
            .map { ClassicFilterInfo(kind: $0.kind, priority: $0.priority, handle: $0.handle, programID: $0.programID,
                                     name: $0.name, directAction: $0.directAction) }
    }

    /// tcm_info of a filter: the priority in the upper half, the protocol in network order below.
    private static func info(_ priority: UInt16) -> UInt32 {
        UInt32(priority) << 16 | UInt32(HostNetlinkABI.ethPAll.bigEndian)
    }
}
