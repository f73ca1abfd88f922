import BPFCore

/// One classic tc filter on a device's clsact qdisc, as a dump reports it.
public struct ClassicFilterInfo: Hashable, Sendable {
    /// The classifier: `bpf` for cls_bpf, else `u32`, `flower`, … (shown without a program).
    public var kind: String
    public var priority: UInt16
    public var handle: UInt32
    /// cls_bpf's program id; nil for other classifiers.
    public var programID: UInt32?
    /// cls_bpf's TCA_BPF_NAME (what the attaching tool named it).
    public var name: String?
    public var directAction: Bool
    public init(kind: String, priority: UInt16, handle: UInt32, programID: UInt32?, name: String?, directAction: Bool) {
        self.kind = kind
        self.priority = priority
        self.handle = handle
        self.programID = programID
        self.name = name
        self.directAction = directAction
    }
}

/// Which attach path a program took, or should take.
public enum AttachMode: String, Hashable, Sendable, CaseIterable {
    /// The multi-program tcx hooks (Linux 6.6 and later).
    case tcx
    /// A clsact qdisc and a direct-action cls_bpf filter: what kernels before tcx offer.
    case tc
    /// tcx where the kernel has it, else tc.
    case auto
}

/// What a backend's kernel offers, found by trying each feature, never from a version number.
public struct HookFeatures: Hashable, Sendable, CustomStringConvertible {
    /// BPF_PROG_ATTACH and BPF_PROG_QUERY on the tcx attach types.
    public var tcx: Bool
    /// BPF_LINK_CREATE on the tcx attach types.
    public var tcxLinks: Bool
    /// netkit devices (and their hooks).
    public var netkit: Bool
    public init(tcx: Bool, tcxLinks: Bool, netkit: Bool) {
        self.tcx = tcx
        self.tcxLinks = tcxLinks
        self.netkit = netkit
    }
    public var description: String {
        "tcx \(tcx ? "yes" : "no"), tcx links \(tcxLinks ? "yes" : "no"), netkit \(netkit ? "yes" : "no")"
    }
}

/// Classic tc on a device: the clsact qdisc and its cls_bpf filters in direct-action mode.
/// A `HookTarget` names the side: `.tcxIngress` is clsact's ingress, `.tcxEgress` its egress.
/// Filters run by ascending priority, after a tcx chain that ends in NEXT.
public protocol ClassicTCSystem: TCXSystem {
    /// What this backend's kernel supports (probed once).
    var hookFeatures: HookFeatures { get }
    /// Adds the clsact qdisc if the device has none, then a cls_bpf filter, direct action, for
    /// every protocol (ETH_P_ALL), at `priority`/`handle`. EEXIST when both are taken.
    func addClassicFilter(_ program: Handle, on target: HookTarget, priority: UInt16, handle: UInt32,
                          name: String) throws(TCXError)
    /// Deletes one filter; ENOENT when there is none at `priority`/`handle`. The qdisc stays.
    func removeClassicFilter(on target: HookTarget, priority: UInt16, handle: UInt32) throws(TCXError)
    /// The side's filters in the order tc runs them; empty without a clsact qdisc.
    func classicFilters(on target: HookTarget) throws(TCXError) -> [ClassicFilterInfo]
}
