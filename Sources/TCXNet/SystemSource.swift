import BPFCore
import TCX

/// A world of either backend, read through the `TCXSystem` API only.
struct SystemSource: NetSource {
    let system: any TCXSystem

    var sourceName: String { system.backendName }

    func netDevices() throws(TCXError) -> [NetDevice] {
        try system.devices().map {
            NetDevice(name: $0.name, ifindex: $0.ifindex, kind: $0.kind.reportName, peerIfindex: $0.peerIfindex)
        }
    }

    /// The default 64 slots hold every entry a hook can have (63).
    func fullQuery(_ target: HookTarget) throws(TCXError) -> QueryReply {
        try system.query(RawQuery(target: target))
    }

    /// Opens the program by id for its info and closes that handle again, so the world's
    /// handles and reference counts end as they were.
    func programInfo(id: UInt32) throws(TCXError) -> ProgramInfo? {
        let handle: Handle
        do {
            handle = try system.program(byID: id)
        } catch where error.errno == .ENOENT {
            return nil
        }
        defer { try? system.close(handle) }
        return try system.programInfo(handle)
    }

    /// The `TCXSystem` API has no classic tc query.
    func classicFilters(ifindex: UInt32) throws(TCXError) -> [NetReport.ClassicFilter]? { nil }
}
