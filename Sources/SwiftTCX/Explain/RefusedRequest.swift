import TCX

/// One refused mprog request, of any of the four kinds the explainer takes.
public enum RefusedRequest: Hashable, Sendable {
    case attach(RawAttach)
    case detach(RawDetach)
    case linkCreate(RawLinkCreate)
    case linkUpdate(RawLinkUpdate)

    /// The bpf(2) command, as a person looks it up.
    public var commandName: String {
        switch self {
        case .attach: "BPF_PROG_ATTACH"
        case .detach: "BPF_PROG_DETACH"
        case .linkCreate: "BPF_LINK_CREATE"
        case .linkUpdate: "BPF_LINK_UPDATE"
        }
    }

    var flags: AttachFlags {
        switch self {
        case .attach(let request): AttachFlags(rawValue: request.flags)
        case .detach(let request): AttachFlags(rawValue: request.flags)
        case .linkCreate(let request): AttachFlags(rawValue: request.flags)
        case .linkUpdate(let request): AttachFlags(rawValue: request.flags)
        }
    }

    /// The hook the request names; a link update names none (it acts on its link's hook).
    var namedTarget: HookTarget? {
        switch self {
        case .attach(let request): request.target
        case .detach(let request): request.target
        case .linkCreate(let request): request.target
        case .linkUpdate: nil
        }
    }

    var expectedRevision: UInt64 {
        switch self {
        case .attach(let request): request.expectedRevision
        case .detach(let request): request.expectedRevision
        case .linkCreate(let request): request.expectedRevision
        case .linkUpdate: 0
        }
    }

    var relativeValue: UInt32? {
        switch self {
        case .attach(let request): request.relative
        case .detach(let request): request.relative
        case .linkCreate(let request): request.relative
        case .linkUpdate: nil
        }
    }

    /// The fields the kernel resolves as handles under these flags, in the order it resolves
    /// them. A relative by id is not a handle; neither is a relative or detach program of 0
    /// (both mean "none"), nor a replace/old program without BPF_F_REPLACE (never read).
    var handleFields: [(role: HandleRole, value: UInt32)] {
        switch self {
        case .attach(let request):
            var fields: [(HandleRole, UInt32)] = [(.program, request.program)]
            if flags.contains(.replace) { fields.append((.replaceProgram, request.replaceProgram)) }
            if let relative = relativeHandle { fields.append((relative, request.relative)) }
            return fields
        case .detach(let request):
            var fields: [(HandleRole, UInt32)] = request.program == 0 ? [] : [(.program, request.program)]
            if let relative = relativeHandle { fields.append((relative, request.relative)) }
            return fields
        case .linkCreate(let request):
            var fields: [(HandleRole, UInt32)] = [(.program, request.program)]
            if let relative = relativeHandle { fields.append((relative, request.relative)) }
            return fields
        case .linkUpdate(let request):
            var fields: [(HandleRole, UInt32)] = [(.link, request.link), (.newProgram, request.newProgram)]
            if request.flags & bpfFReplace != 0 { fields.append((.oldProgram, request.oldProgram)) }
            return fields
        }
    }

    /// How the relative field names its object when it is a handle (nil: an id, or none).
    private var relativeHandle: HandleRole? {
        guard let value = relativeValue, !flags.contains(.id) else { return nil }
        if flags.contains(.link) { return value == 0 ? nil : .relativeLink }
        return value == 0 ? nil : .relativeProgram
    }

    /// The relative object by id, when the flags say so.
    var relativeID: (isLink: Bool, id: UInt32)? {
        guard let value = relativeValue, flags.contains(.id) else { return nil }
        return (flags.contains(.link), value)
    }
}
