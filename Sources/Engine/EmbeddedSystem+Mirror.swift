import BPFCore
import MultiProg
import TCX

/// Rebuilding another world's hook on the engine under that world's own ids and ifindexes.
///
/// This exists for the refusal explainer (`SwiftTCX`'s `explainRefusal`): it copies a hook
/// from a kernel world and replays the refused request on the copy. Keeping the kernel's ids
/// makes the engine's reasons name the kernel's objects without any translation. Nothing else
/// should use it: a world built only through `TCXSystem` allocates every id itself.
extension EmbeddedSystem {
    /// Adds a device with the given ifindex (a netkit primary brings its peer at `peerIfindex`).
    /// A device already there of a compatible kind is kept (the world's `lo` is ifindex 1).
    public func mirrorDevice(_ info: DeviceInfo) throws(TCXError) {
        defer { publishTopology() }
        try withWorld { world throws(TCXError) in
            if let existing = world.devices[info.ifindex] {
                guard existing.isNetkit == (info.kind == .netkitPrimary || info.kind == .netkitPeer) else {
                    throw TCXError(.EEXIST, "ifindex \(info.ifindex) is taken by \(existing.name)")
                }
                return
            }
            switch info.kind {
            case .netkitPrimary, .netkitPeer:
                // Both ends are needed: the primary manages the peer's hook.
                guard let peerIndex = info.peerIfindex, world.devices[peerIndex] == nil else {
                    throw TCXError(.EINVAL, "netkit \(info.name) needs a free peer ifindex")
                }
                let peerKind: DeviceKind = info.kind == .netkitPrimary ? .netkitPeer : .netkitPrimary
                world.devices.insert(Device(name: info.name, ifindex: info.ifindex, kind: info.kind,
                                            peerIfindex: peerIndex))
                world.devices.insert(Device(name: "\(info.name)-peer", ifindex: peerIndex, kind: peerKind,
                                            peerIfindex: info.ifindex))
            case .loopback, .veth, .other:
                // The peer plays no part in a hook's rules: a lone device is enough.
                world.devices.insert(Device(name: info.name, ifindex: info.ifindex, kind: .veth,
                                            peerIfindex: nil))
            }
        }
    }

    /// Loads a program (it answers NEXT) under the id given. EEXIST when the id is taken.
    public func mirrorProgram(id: UInt32, type: ProgramType, name: String) throws(TCXError) -> Handle {
        var spec = ProgramSpec.returning(Verdict.next.rawValue, name: name)
        spec.type = type
        let executable = try Executable(spec: spec, maps: [], runner: runner)
        return try withWorld { world throws(TCXError) in
            guard id != 0, world.programs[id] == nil else {
                throw TCXError(.EEXIST, "program id \(id) is taken or 0")
            }
            let program = ProgramObject(id: id, spec: spec, executable: executable, maps: [])
            world.programs[id] = program
            return world.open(.program(program))
        }
    }

    /// A link under the id given that runs `program`: appended to `target`'s hook when
    /// `attached`, else defunct (as after BPF_LINK_DETACH), which resolves but sits on no hook.
    public func mirrorLink(id: UInt32, program handle: Handle, target: HookTarget,
                           attached: Bool) throws(TCXError) -> Handle {
        try withWorld { world throws(TCXError) in
            guard id != 0, world.links[id] == nil else {
                throw TCXError(.EEXIST, "link id \(id) is taken or 0")
            }
            let program = try world.program(at: handle.rawValue, role: "program")
            let link: LinkObject
            if attached {
                let location = try world.location(of: target)
                link = LinkObject(id: id, type: location.linkType, attachType: target.attachType,
                                  program: program, ifindex: location.ownerIfindex)
                try mprog {
                    try location.hook.attach(Slot(program: program, link: link), flags: [], expectedRevision: 0,
                                             replacing: nil) { nil }
                }
            } else {
                link = LinkObject(id: id, type: target.attachType.isNetkit ? .netkit : .tcx,
                                  attachType: target.attachType, program: program, ifindex: 0)
            }
            program.references += 1
            world.links[id] = link
            return world.open(.link(link))
        }
    }
}
