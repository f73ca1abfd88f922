import BPFCore
import TCX

/// The multi-program hooks: every request field goes to the kernel as given.
extension KernelSystem {
    /// The fields BPF_PROG_ATTACH and BPF_PROG_DETACH share (same layout, spec §7.1).
    private static func attachAttr(_ program: UInt32, _ target: HookTarget, _ flags: UInt32, _ relative: UInt32,
                                   _ expectedRevision: UInt64) -> KernelStruct {
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.Attach.targetIfindex, target.ifindex)
        attr.set(BPFAttr.Attach.attachBPFFD, program)
        attr.set(BPFAttr.Attach.attachType, target.attachType.rawValue)
        attr.set(BPFAttr.Attach.attachFlags, flags)
        attr.set(BPFAttr.Attach.relative, relative)
        attr.set(BPFAttr.Attach.expectedRevision, expectedRevision)
        return attr
    }

    public func attach(_ request: RawAttach) throws(TCXError) {
        try Self.requireNetkit(for: request.target, .progAttach)
        try world.run { _ throws(TCXError) in
            var attr = Self.attachAttr(request.program, request.target, request.flags, request.relative,
                                       request.expectedRevision)
            attr.set(BPFAttr.Attach.replaceBPFFD, request.replaceProgram)
            try BPFSyscall.call(.progAttach, &attr, Self.describe(request.target, request.flags))
        }
    }

    public func detach(_ request: RawDetach) throws(TCXError) {
        try Self.requireNetkit(for: request.target, .progDetach)
        try world.run { _ throws(TCXError) in
            var attr = Self.attachAttr(request.program, request.target, request.flags, request.relative,
                                       request.expectedRevision)
            try BPFSyscall.call(.progDetach, &attr, Self.describe(request.target, request.flags))
        }
    }

    public func createLink(_ request: RawLinkCreate) throws(TCXError) -> Handle {
        try Self.requireNetkit(for: request.target, .linkCreate)
        return try world.run { state throws(TCXError) in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.LinkCreate.progFD, request.program)
            attr.set(BPFAttr.LinkCreate.targetIfindex, request.target.ifindex)
            attr.set(BPFAttr.LinkCreate.attachType, request.target.attachType.rawValue)
            attr.set(BPFAttr.LinkCreate.flags, request.flags)
            attr.set(BPFAttr.LinkCreate.relative, request.relative)
            attr.set(BPFAttr.LinkCreate.expectedRevision, request.expectedRevision)
            return state.adopt(try BPFSyscall.call(.linkCreate, &attr, Self.describe(request.target, request.flags)))
        }
    }

    public func updateLink(_ request: RawLinkUpdate) throws(TCXError) {
        try world.run { _ throws(TCXError) in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.LinkUpdate.linkFD, request.link)
            attr.set(BPFAttr.LinkUpdate.newProgFD, request.newProgram)
            attr.set(BPFAttr.LinkUpdate.flags, request.flags)
            attr.set(BPFAttr.LinkUpdate.oldProgFD, request.oldProgram)
            try BPFSyscall.call(.linkUpdate, &attr, "on fd \(request.link)")
        }
    }

    public func detachLink(_ link: Handle) throws(TCXError) {
        try world.run { _ throws(TCXError) in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.LinkDetach.linkFD, link.rawValue)
            try BPFSyscall.call(.linkDetach, &attr, "on \(link)")
        }
    }

    public func query(_ request: RawQuery) throws(TCXError) -> QueryReply {
        try Self.requireNetkit(for: request.target, .progQuery)
        return try world.run { _ throws(TCXError) in try HookQuery.run(request) }
    }

    /// A kernel without netkit refuses the netkit attach types with EINVAL, like any unknown
    /// type; the script contract wants EOPNOTSUPP there, the answer `dev … netkit` gets.
    static func requireNetkit(for target: HookTarget, _ command: BPFCommand) throws(TCXError) {
        guard target.attachType.isNetkit, !supportsNetkit else { return }
        throw TCXError(.EOPNOTSUPP, "\(command.name) on \(target): this kernel has no netkit")
    }

    static func describe(_ target: HookTarget, _ flags: UInt32) -> String {
        "on \(target) flags \(AttachFlags(rawValue: flags))"
    }
}

/// BPF_PROG_QUERY with id arrays of the requested capacity (or NULL ones).
enum HookQuery {
    /// What one tcx or netkit hook can hold (bpf_mprog's 63 entries, rounded up). A larger
    /// request gets the same answer from the kernel, so the buffers never grow past it, however
    /// large a count the caller asked for.
    static let capacityLimit = 64

    static func run(_ request: RawQuery) throws(TCXError) -> QueryReply {
        let capacity = min(Int(request.capacity ?? 0), capacityLimit)
        // One spare slot so an empty array still has an address to pass.
        var programIDs = [UInt32](repeating: 0, count: capacity + 1)
        var linkIDs = [UInt32](repeating: 0, count: capacity + 1)
        var attr = BPFAttr.zeroed()
        let outcome = programIDs.withUnsafeMutableBytes { programs in
            linkIDs.withUnsafeMutableBytes { links in
                attr.set(BPFAttr.Query.targetIfindex, request.target.ifindex)
                attr.set(BPFAttr.Query.attachType, request.target.attachType.rawValue)
                attr.set(BPFAttr.Query.queryFlags, request.queryFlags)
                attr.set(BPFAttr.Query.attachFlags, request.attachFlags)
                if request.capacity != nil {
                    attr.set(BPFAttr.Query.progIDs, pointer: UnsafeRawPointer(programs.baseAddress))
                    attr.set(BPFAttr.Query.linkIDs, pointer: UnsafeRawPointer(links.baseAddress))
                    attr.set(BPFAttr.Query.count, UInt32(capacity))
                }
                return BPFSyscall.attempt(.progQuery, &attr)
            }
        }
        var truncated = false
        if case .failure(let code) = outcome {
            guard code == .ENOSPC else {
                throw BPFSyscall.failure(.progQuery, code, "on \(request.target)")
            }
            truncated = true
        }
        let total = attr.get32(BPFAttr.Query.count)
        let copied = request.capacity == nil ? 0 : min(capacity, Int(total))
        return QueryReply(revision: attr.get(BPFAttr.Query.revision), count: total,
                          programIDs: Array(programIDs.prefix(copied)),
                          linkIDs: Array(linkIDs.prefix(copied)), truncated: truncated)
    }
}
