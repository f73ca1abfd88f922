import BPFCore
import MultiProg
import TCX

extension WorldState {
    /// BPF_PROG_ATTACH and BPF_PROG_DETACH check the attach type, then refuse flag bits mprog
    /// gives no meaning to (BPF_LINK_CREATE does not: see `createLink`).
    private func checkProgRequest(_ target: HookTarget, _ raw: UInt32, verb: String) throws(TCXError) -> AttachFlags {
        guard target.attachType.isMultiProgHook else {
            throw TCXError(.EINVAL, "attach type \(target.attachType.rawValue) is not a tcx or netkit hook")
        }
        let flags = AttachFlags(rawValue: raw)
        let unknown = flags.subtracting(.multiProgMask)
        if !unknown.isEmpty {
            throw TCXError(.EINVAL, "\(verb) flags \(unknown) are not valid for tcx or netkit")
        }
        return flags
    }

    // MARK: BPF_PROG_ATTACH

    func attach(_ request: RawAttach) throws(TCXError) {
        let flags = try checkProgRequest(request.target, request.flags, verb: "attach")
        let program = try self.program(at: request.program, role: "program", type: .schedCLS)
        let location = try location(of: request.target)
        var replacing: Hook.Entry?
        if flags.contains(.replace) {
            let old = try self.program(at: request.replaceProgram, role: "replace", type: program.type)
            replacing = Slot(program: old, link: nil)
        }
        let removed = try mprog {
            try location.hook.attach(Slot(program: program, link: nil), flags: flags,
                                     expectedRevision: request.expectedRevision, replacing: replacing) {
                try self.resolveRelative(request.relative, flags: flags.subtracting(.replace), type: program.type)
            }
        }
        program.references += 1
        if let removed { release(removed.program) }
    }

    // MARK: BPF_PROG_DETACH

    func detach(_ request: RawDetach) throws(TCXError) {
        let flags = try checkProgRequest(request.target, request.flags, verb: "detach")
        let program = request.program == 0
            ? nil : try self.program(at: request.program, role: "program", type: .schedCLS)
        let location = try location(of: request.target)
        let hook = location.hook
        guard hook.count > 0 else {
            throw TCXError(.ENOENT, "\(request.target) has no programs attached")
        }
        let removed = try mprog {
            try hook.detach(program.map { Slot(program: $0, link: nil) }, flags: flags,
                            expectedRevision: request.expectedRevision) {
                try self.resolveRelative(request.relative, flags: flags, type: program?.type)
            }
        }
        location.restartIfEmpty()
        release(removed.program)
    }

    // MARK: BPF_LINK_CREATE

    func createLink(_ request: RawLinkCreate) throws(TCXError) -> Handle {
        let program = try self.program(at: request.program, role: "program")
        let type = request.target.attachType
        if program.type == .schedCLS {
            guard type.isMultiProgHook else {
                throw TCXError(.EINVAL, "a sched_cls program cannot be linked to attach type \(type.rawValue)")
            }
        } else if type.isMultiProgHook {
            throw TCXError(.EINVAL, "a \(program.type) program cannot be linked to a \(type.hookName) hook")
        } else {
            throw TCXError(.EINVAL, "attach type \(type.rawValue) is not supported here")
        }
        let location = try location(of: request.target)
        // The id is reserved before the attach is tried, so a failed create consumes it.
        let id = linkIDs.allocate(skipping: { links[$0] != nil })
        let link = LinkObject(id: id, type: location.linkType, attachType: type, program: program,
                              ifindex: location.ownerIfindex)
        let flags = AttachFlags(rawValue: request.flags)
        try mprog {
            try location.hook.attach(Slot(program: program, link: link), flags: flags,
                                     expectedRevision: request.expectedRevision, replacing: nil) {
                try self.resolveRelative(request.relative, flags: flags.subtracting(.replace), type: program.type)
            }
        }
        program.references += 1
        links[id] = link
        return open(.link(link))
    }

    // MARK: BPF_LINK_UPDATE

    func updateLink(_ request: RawLinkUpdate) throws(TCXError) {
        if request.flags & ~bpfFReplace != 0 {
            throw TCXError(.EINVAL, "link update flags 0x\(String(request.flags, radix: 16)) hold more than BPF_F_REPLACE")
        }
        let link = try self.link(at: request.link, role: "link")
        let newProgram = try self.program(at: request.newProgram, role: "new program")
        var oldProgram: ProgramObject?
        if request.flags & bpfFReplace != 0 {
            oldProgram = try self.program(at: request.oldProgram, role: "old program")
        } else if request.oldProgram != 0 {
            throw TCXError(.EINVAL, "an old program fd without BPF_F_REPLACE")
        }
        guard let location = location(of: link) else {
            throw TCXError(.ENOLINK, "\(link.label) is detached")
        }
        if let oldProgram, oldProgram !== link.program {
            throw TCXError(.EPERM, "\(link.label) runs \(link.program.label), not \(oldProgram.label)")
        }
        if newProgram === link.program { return }
        let current = link.program
        try mprog {
            try location.hook.attach(Slot(program: newProgram, link: link), flags: [.replace, .id],
                            expectedRevision: 0, replacing: Slot(program: current, link: link)) {
                try self.resolveRelative(current.id, flags: .id, type: newProgram.type)
            }
        }
        newProgram.references += 1
        link.program = newProgram
        release(current)
    }

    // MARK: BPF_LINK_DETACH and link release

    func detachLink(_ fd: UInt32) throws(TCXError) {
        let link = try self.link(at: fd, role: "link")
        detachFromHook(link)
    }

    /// Removes the link's slot if it still has one and makes it defunct. Never fails: the slot
    /// is the link's own, so every mprog rule is satisfied.
    func detachFromHook(_ link: LinkObject) {
        if let location = location(of: link) {
            _ = try? location.hook.detach(Slot(program: link.program, link: link), flags: [], expectedRevision: 0) { nil }
            location.restartIfEmpty()
        }
        link.ifindex = 0
    }

    // MARK: BPF_PROG_QUERY

    func query(_ request: RawQuery) throws(TCXError) -> QueryReply {
        guard request.target.attachType.isMultiProgHook else {
            throw TCXError(.EINVAL, "attach type \(request.target.attachType.rawValue) is not a tcx or netkit hook")
        }
        if request.queryFlags & ~1 != 0 {
            throw TCXError(.EINVAL, "query flags 0x\(String(request.queryFlags, radix: 16)) are unknown")
        }
        let location = try location(of: request.target)
        if request.queryFlags != 0 || request.attachFlags != 0 {
            throw TCXError(.EINVAL, "multi-program hooks take neither query flags nor attach flags")
        }
        let slots = location.hook.slots
        var reply = QueryReply(revision: location.queriedRevision, count: UInt32(slots.count),
                               programIDs: [], linkIDs: [], truncated: false)
        guard let capacity = request.capacity, capacity > 0, !slots.isEmpty else { return reply }
        let copied = slots.prefix(Int(capacity))
        reply.programIDs = copied.map(\.program.id)
        reply.linkIDs = copied.map { $0.link?.id ?? 0 }
        reply.truncated = copied.count < slots.count
        return reply
    }
}
