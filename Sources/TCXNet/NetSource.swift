import BPFCore
import TCX

/// A device as a source lists it, before its hooks are read.
struct NetDevice: Hashable, Sendable {
    var name: String
    var ifindex: UInt32
    var kind: String
    var peerIfindex: UInt32?
}

/// Where a report's facts come from: a world of either backend, or the host. Every method
/// only reads; whatever a lookup opens it closes again.
protocol NetSource {
    var sourceName: String { get }
    func netDevices() throws(TCXError) -> [NetDevice]
    /// The whole hook (never truncated).
    func fullQuery(_ target: HookTarget) throws(TCXError) -> QueryReply
    /// nil when no program has the id (any more).
    func programInfo(id: UInt32) throws(TCXError) -> ProgramInfo?
    /// nil when the source cannot show classic tc. Program names are filled in later.
    func classicFilters(ifindex: UInt32) throws(TCXError) -> [NetReport.ClassicFilter]?
}

extension DeviceKind {
    /// The report's spelling, shared with the host view's.
    var reportName: String {
        switch self {
        case .loopback: "loopback"
        case .veth: "veth"
        case .netkitPrimary: "netkit-primary"
        case .netkitPeer: "netkit-peer"
        case .other(let kind): kind
        }
    }
}
