import BPFCore
import MultiProg
import TCX

/// Where an mprog operation lands: a device's tcx direction (whose entry may not exist yet) or
/// a netkit device's embedded bundle.
enum HookLocation {
    case tcx(Device, AttachType)
    case netkit(Device)

    var hook: Hook {
        switch self {
        case .tcx(let device, let type): device.tcxHook(type)
        case .netkit(let device): device.netkitHook!
        }
    }

    /// An emptied tcx entry is freed in the kernel, so its revision starts again at 1; netkit
    /// keeps its bundle and its count.
    func restartIfEmpty() {
        if case .tcx = self, hook.count == 0 { hook.restartRevision() }
    }

    /// The ifindex a link on this hook reports: the device owning the bundle.
    var ownerIfindex: UInt32 {
        switch self {
        case .tcx(let device, _): device.ifindex
        case .netkit(let device): device.ifindex
        }
    }

    var linkType: LinkType {
        if case .netkit = self { return .netkit }
        return .tcx
    }

    /// What a query reports as the revision: netkit reports 1 for an empty hook although its
    /// counter goes on (a kernel inconsistency reproduced on purpose, spec §2.5).
    var queriedRevision: UInt64 {
        if case .netkit = self, hook.count == 0 { return 1 }
        return hook.revision
    }
}

extension WorldState {
    /// Resolves a (ifindex, attach type) target as the kernel does for tcx and netkit (§2.7, §5.3).
    func location(of target: HookTarget) throws(TCXError) -> HookLocation {
        guard target.attachType.isMultiProgHook else {
            throw TCXError(.EINVAL, "attach type \(target.attachType.rawValue) is not a tcx or netkit hook")
        }
        guard let device = devices[target.ifindex] else {
            throw TCXError(.ENODEV, "no device has ifindex \(target.ifindex)")
        }
        if !target.attachType.isNetkit { return .tcx(device, target.attachType) }
        guard device.isNetkit else {
            throw TCXError(.ENXIO, "\(device.name) is not a netkit device")
        }
        guard device.kind == .netkitPrimary else {
            throw TCXError(.EACCES, "\(device.name) is a netkit peer; netkit hooks are managed through the primary")
        }
        if target.attachType == .netkitPrimary { return .netkit(device) }
        guard let peerIndex = device.peerIfindex, let peer = devices[peerIndex] else {
            throw TCXError(.ENODEV, "\(device.name) has no peer")
        }
        return .netkit(peer)
    }

    /// The location a link sits in, or nil once it is defunct.
    func location(of link: LinkObject) -> HookLocation? {
        guard !link.isDefunct, let device = devices[link.ifindex] else { return nil }
        return link.type == .netkit ? .netkit(device) : .tcx(device, link.attachType)
    }
}
