import BPFCore

/// The everyday API on top of the raw operations: anchors instead of flag bits, a query result
/// type, and a retry helper for expected revisions.
extension TCXSystem {
    /// Attaches `program` in prog mode at `anchor`. With `expectedRevision` the change is made
    /// only if nobody changed the hook since that revision (ESTALE otherwise).
    public func attach(_ program: Handle, to target: HookTarget, at anchor: Anchor = .tail,
                       expectedRevision: UInt64 = 0) throws(TCXError) {
        let (flags, relative) = anchor.encoded
        try attach(RawAttach(program: program.rawValue, target: target, flags: flags.rawValue,
                             relative: relative, expectedRevision: expectedRevision))
    }

    /// Replaces the prog-mode program `old` by `program` in its position.
    public func replace(_ old: Handle, with program: Handle, on target: HookTarget,
                        expectedRevision: UInt64 = 0) throws(TCXError) {
        try attach(RawAttach(program: program.rawValue, target: target, flags: AttachFlags.replace.rawValue,
                             replaceProgram: old.rawValue, expectedRevision: expectedRevision))
    }

    /// Detaches the prog-mode program `program`.
    public func detach(_ program: Handle, from target: HookTarget, expectedRevision: UInt64 = 0) throws(TCXError) {
        try detach(RawDetach(program: program.rawValue, target: target, expectedRevision: expectedRevision))
    }

    /// Creates a link that owns `program`'s attachment at `anchor`. Closing the returned handle
    /// (the last one, with no pin) detaches the program.
    public func link(_ program: Handle, to target: HookTarget, at anchor: Anchor = .tail,
                     expectedRevision: UInt64 = 0) throws(TCXError) -> Handle {
        let (flags, relative) = anchor.encoded
        return try createLink(RawLinkCreate(program: program.rawValue, target: target, flags: flags.rawValue,
                                            relative: relative, expectedRevision: expectedRevision))
    }

    /// Swaps the program a link runs; with `expecting`, only if it still runs that one (EPERM).
    public func update(_ link: Handle, to program: Handle, expecting old: Handle? = nil) throws(TCXError) {
        try updateLink(RawLinkUpdate(link: link.rawValue, newProgram: program.rawValue,
                                     flags: old == nil ? 0 : bpfFReplace, oldProgram: old?.rawValue ?? 0))
    }

    /// The hook's revision and its programs in execution order. A hook holds at most 63, so
    /// the default 64 slots of a query always hold them all.
    public func state(of target: HookTarget) throws(TCXError) -> HookState {
        let reply = try query(RawQuery(target: target))
        let entries = zip(reply.programIDs, reply.linkIDs).map {
            HookState.Entry(programID: $0.0, linkID: $0.1 == 0 ? nil : $0.1)
        }
        return HookState(revision: reply.revision, entries: entries)
    }

    /// Reads the hook's revision, then runs `change` with it; if someone else changed the hook
    /// in between (ESTALE), reads again and retries, at most `attempts` times.
    public func retryingOnStale<T>(_ target: HookTarget, attempts: Int = 8,
                                   _ change: (_ revision: UInt64) throws(TCXError) -> T) throws(TCXError) -> T {
        var attempt = 1
        while true {
            let revision = try query(RawQuery(target: target, capacity: nil)).revision
            do {
                return try change(revision)
            } catch where error.errno == .ESTALE && attempt < attempts {
                attempt += 1
            }
        }
    }
}
