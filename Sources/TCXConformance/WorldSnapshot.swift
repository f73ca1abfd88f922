import BPFCore
import TCX

/// Everything observable about a world through the API: every hook's revision and order, and
/// every open handle with what it refers to. Two snapshots are equal when nothing changed.
public struct WorldSnapshot: Hashable, Sendable, CustomStringConvertible {
    public struct HookState: Hashable, Sendable {
        public let device: String
        public let hook: String
        public let revision: UInt64
        public let programs: [UInt32]
        public let links: [UInt32]
    }
    public struct HandleState: Hashable, Sendable {
        public let fd: UInt32
        public let kind: ObjectKind
        public let id: UInt32
        /// For links: the program and ifindex they report.
        public let detail: [UInt32]
    }

    public let hooks: [HookState]
    public let handles: [HandleState]

    /// Takes a snapshot of `world`, looking at the handles listed in `fds`.
    public static func take(_ world: any TCXSystem, fds: [UInt32]) -> WorldSnapshot {
        var hooks: [HookState] = []
        let devices = (try? world.devices()) ?? []
        for device in devices {
            for type in [AttachType.tcxIngress, .tcxEgress] {
                guard let reply = try? world.query(RawQuery(target: HookTarget(ifindex: device.ifindex, attachType: type))) else { continue }
                hooks.append(HookState(device: device.name, hook: type.hookName, revision: reply.revision,
                                       programs: reply.programIDs, links: reply.linkIDs))
            }
        }
        var handles: [HandleState] = []
        for fd in fds.sorted() {
            let handle = Handle(rawValue: fd)
            guard let kind = try? world.kind(of: handle) else { continue }
            switch kind {
            case .program:
                let info = try? world.programInfo(handle)
                handles.append(HandleState(fd: fd, kind: kind, id: info?.id ?? 0, detail: []))
            case .link:
                let info = try? world.linkInfo(handle)
                handles.append(HandleState(fd: fd, kind: kind, id: info?.id ?? 0,
                                           detail: [info?.programID ?? 0, info?.ifindex ?? 0]))
            case .map:
                handles.append(HandleState(fd: fd, kind: kind, id: 0, detail: []))
            }
        }
        return WorldSnapshot(hooks: hooks, handles: handles)
    }

    public var description: String {
        let hookText = hooks.map { "\($0.device)/\($0.hook) rev=\($0.revision) progs=\($0.programs) links=\($0.links)" }
        let handleText = handles.map { "fd \($0.fd): \($0.kind) \($0.id) \($0.detail)" }
        return (hookText + handleText).joined(separator: "\n")
    }
}
