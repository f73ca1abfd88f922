import BPFCore

/// BPF_PROG_ATTACH, field for field. Nothing is checked before the backend sees it.
public struct RawAttach: Hashable, Sendable {
    public var program: UInt32
    public var target: HookTarget
    public var flags: UInt32
    public var replaceProgram: UInt32
    public var relative: UInt32
    public var expectedRevision: UInt64
    public init(program: UInt32, target: HookTarget, flags: UInt32 = 0, replaceProgram: UInt32 = 0,
                relative: UInt32 = 0, expectedRevision: UInt64 = 0) {
        self.program = program
        self.target = target
        self.flags = flags
        self.replaceProgram = replaceProgram
        self.relative = relative
        self.expectedRevision = expectedRevision
    }
}

/// BPF_PROG_DETACH. `program` 0 passes no program (a positional detach).
public struct RawDetach: Hashable, Sendable {
    public var program: UInt32
    public var target: HookTarget
    public var flags: UInt32
    public var relative: UInt32
    public var expectedRevision: UInt64
    public init(program: UInt32, target: HookTarget, flags: UInt32 = 0, relative: UInt32 = 0,
                expectedRevision: UInt64 = 0) {
        self.program = program
        self.target = target
        self.flags = flags
        self.relative = relative
        self.expectedRevision = expectedRevision
    }
}

/// BPF_LINK_CREATE for a tcx or netkit hook.
public struct RawLinkCreate: Hashable, Sendable {
    public var program: UInt32
    public var target: HookTarget
    public var flags: UInt32
    public var relative: UInt32
    public var expectedRevision: UInt64
    public init(program: UInt32, target: HookTarget, flags: UInt32 = 0, relative: UInt32 = 0,
                expectedRevision: UInt64 = 0) {
        self.program = program
        self.target = target
        self.flags = flags
        self.relative = relative
        self.expectedRevision = expectedRevision
    }
}

/// BPF_LINK_UPDATE. `oldProgram` is only read by the kernel with BPF_F_REPLACE.
public struct RawLinkUpdate: Hashable, Sendable {
    public var link: UInt32
    public var newProgram: UInt32
    public var flags: UInt32
    public var oldProgram: UInt32
    public init(link: UInt32, newProgram: UInt32, flags: UInt32 = 0, oldProgram: UInt32 = 0) {
        self.link = link
        self.newProgram = newProgram
        self.flags = flags
        self.oldProgram = oldProgram
    }
}

/// BPF_PROG_QUERY. `capacity` nil passes NULL id arrays (only count and revision come back).
public struct RawQuery: Hashable, Sendable {
    public var target: HookTarget
    public var queryFlags: UInt32
    public var attachFlags: UInt32
    public var capacity: UInt32?
    public init(target: HookTarget, queryFlags: UInt32 = 0, attachFlags: UInt32 = 0, capacity: UInt32? = 64) {
        self.target = target
        self.queryFlags = queryFlags
        self.attachFlags = attachFlags
        self.capacity = capacity
    }
}

/// What BPF_PROG_QUERY wrote back. `count` is always the hook's total; the id arrays hold the
/// entries actually copied, in execution order (0 in `linkIDs` marks a prog-mode slot).
/// `truncated` is the kernel's ENOSPC: the arrays were too small, but everything else is valid.
public struct QueryReply: Hashable, Sendable {
    public var revision: UInt64
    public var count: UInt32
    public var programIDs: [UInt32]
    public var linkIDs: [UInt32]
    public var truncated: Bool
    public init(revision: UInt64, count: UInt32, programIDs: [UInt32], linkIDs: [UInt32], truncated: Bool) {
        self.revision = revision
        self.count = count
        self.programIDs = programIDs
        self.linkIDs = linkIDs
        self.truncated = truncated
    }
}
