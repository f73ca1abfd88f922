import TCX

/// The mode-aware attach on an owned program: tcx where the kernel has it, a clsact cls_bpf
/// filter where it does not (or where `mode` forces one). Both kinds of attachment stay until
/// detached, whoever owns the program, as bpftool's do.
extension Program {
    /// Attaches in `mode` and says where the program went. tc mode refuses relative anchors and
    /// expected revisions (EOPNOTSUPP, with why): classic tc orders filters by priority alone.
    @discardableResult
    public func attach(to target: HookTarget, at anchor: Anchor = .tail, mode: AttachMode,
                       expectedRevision: UInt64 = 0) throws(TCXError) -> AttachPlacement {
        try classicWorld("attach").attach(handle, to: target, at: anchor, mode: mode, expectedRevision: expectedRevision)
    }

    /// Detaches this program's prog-mode attachment or cls_bpf filters in `mode` (auto: both,
    /// wherever it is) and says what was removed.
    @discardableResult
    public func detach(from target: HookTarget, mode: AttachMode) throws(TCXError) -> [AttachPlacement] {
        try classicWorld("detach").detach(program: handle, from: target, mode: mode)
    }

    /// A link in `mode`: tc mode has no links, so it is refused with why.
    public func link(to target: HookTarget, at anchor: Anchor = .tail, mode: AttachMode,
                     expectedRevision: UInt64 = 0) throws(TCXError) -> Link {
        let raw = try classicWorld("link").link(handle, to: target, at: anchor, mode: mode,
                                                expectedRevision: expectedRevision)
        return Link(adopting: raw, in: world)
    }

    private func classicWorld(_ what: String) throws(TCXError) -> any ClassicTCSystem {
        guard let classic = world as? any ClassicTCSystem else {
            throw TCXError(.EOPNOTSUPP, "\(what) with a mode: this world has no classic tc")
        }
        return classic
    }
}
