import BPFCore
import LinuxKernel
import TCX

extension NetReport {
    /// The state of a world of either backend. Only reads: each program it names is opened by
    /// id and closed again.
    public static func build(from system: any TCXSystem) throws(TCXError) -> NetReport {
        try build(from: SystemSource(system: system))
    }

    /// The real machine's state in the calling thread's network namespace, read-only (see
    /// `HostNetwork`). Needs root for the bpf(2) queries.
    public static func buildHost() throws(TCXError) -> NetReport {
        try build(from: HostSource(host: HostNetwork()))
    }

    /// The state of a kernel world's network namespace (a named one, or the host), read as
    /// `buildHost` reads the machine: classic tc filters included.
    public static func build(namespaceOf world: KernelSystem, name: String) throws(TCXError) -> NetReport {
        var report = try world.inNetworkNamespace { () throws(TCXError) in try buildHost() }
        report.source = name
        return report
    }

    static func build(from source: some NetSource) throws(TCXError) -> NetReport {
        let listed = try source.netDevices()
        let names = Dictionary(listed.map { ($0.ifindex, $0.name) }, uniquingKeysWith: { first, _ in first })
        var devices: [Device] = []
        for device in listed {
            var hooks: [Hook] = []
            for attachType in hookTypes(kind: device.kind) {
                hooks.append(try hook(source, HookTarget(ifindex: device.ifindex, attachType: attachType)))
            }
            var classic = try source.classicFilters(ifindex: device.ifindex)
            for index in classic?.indices ?? [].indices {
                if let id = classic?[index].programID { classic?[index].programName = try source.programInfo(id: id)?.name }
            }
            devices.append(Device(name: device.name, ifindex: device.ifindex, kind: device.kind,
                                  peer: device.peerIfindex.map { Peer(ifindex: $0, name: names[$0]) },
                                  hooks: hooks, classic: classic))
        }
        return NetReport(source: source.sourceName, devices: devices)
    }

    /// tcx on every device; netkit's hooks on a netkit primary (where they are attached).
    static func hookTypes(kind: String) -> [AttachType] {
        kind == "netkit-primary" ? [.tcxIngress, .tcxEgress, .netkitPrimary, .netkitPeer] : [.tcxIngress, .tcxEgress]
    }

    private static func hook(_ source: some NetSource, _ target: HookTarget) throws(TCXError) -> Hook {
        let reply = try source.fullQuery(target)
        var entries: [Entry] = []
        for (programID, linkID) in zip(reply.programIDs, reply.linkIDs) {
            let info = try source.programInfo(id: programID)
            entries.append(Entry(programID: programID, programName: info?.name, programType: info?.type.description,
                                 linkID: linkID == 0 ? nil : linkID))
        }
        let family = target.attachType.isNetkit ? "netkit" : "tcx"
        return Hook(name: "\(family)/\(target.attachType.hookName)", revision: reply.revision,
                    count: reply.count, entries: entries)
    }
}
