import BPFCore
import LinuxKernel
import TCX

/// The real machine, through the kernel backend's read-only host view.
struct HostSource: NetSource {
    let host: HostNetwork

    var sourceName: String { "host" }

    func netDevices() throws(TCXError) -> [NetDevice] {
        try host.devices().map {
            NetDevice(name: $0.name, ifindex: $0.ifindex, kind: $0.kind, peerIfindex: $0.peerIfindex)
        }
    }

    func fullQuery(_ target: HookTarget) throws(TCXError) -> QueryReply {
        try host.query(target)
    }

    func programInfo(id: UInt32) throws(TCXError) -> ProgramInfo? {
        try host.program(id: id)
    }

    func classicFilters(ifindex: UInt32) throws(TCXError) -> [NetReport.ClassicFilter]? {
        try host.classicFilters(ifindex: ifindex).map {
            NetReport.ClassicFilter(parent: $0.parent, kind: $0.kind, priority: $0.priority, handle: $0.handle,
                                    protocolNumber: $0.protocolNumber, name: $0.name, programID: $0.programID,
                                    programName: nil, directAction: $0.directAction)
        }
    }
}
