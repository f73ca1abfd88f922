import BPFCore

/// Where a mode-aware attach put a program.
public enum AttachPlacement: Hashable, Sendable, CustomStringConvertible {
    /// On the tcx hook (its place in the chain is what `state(of:)` reports).
    case tcx
    /// A cls_bpf filter on the clsact side, at this priority and handle.
    case tc(priority: UInt16, handle: UInt32)

    /// The mode that was used: `.tcx` or `.tc`, never `.auto`.
    public var mode: AttachMode {
        switch self {
        case .tcx: .tcx
        case .tc: .tc
        }
    }

    public var description: String {
        switch self {
        case .tcx: "tcx"
        case .tc(let priority, let handle): "tc prio \(priority) handle \(handle)"
        }
    }
}

/// A side of a device as both paths see it: the tcx chain runs first; when it ends in NEXT (or
/// is empty) the classic filters run, by priority.
public struct HookAttachments: Hashable, Sendable {
    /// The tcx hook's revision and entries; nil when the backend has no tcx.
    public var tcx: HookState?
    /// The clsact side's filters in run order, other tools' included.
    public var classic: [ClassicFilterInfo]

    public init(tcx: HookState?, classic: [ClassicFilterInfo]) {
        self.tcx = tcx
        self.classic = classic
    }

    /// Program ids in the order the datapath can run them (classifiers without a program left out).
    public var programIDs: [UInt32] {
        (tcx?.entries.map(\.programID) ?? []) + classic.compactMap(\.programID)
    }
}

/// The mode-aware layer: one call that uses tcx where the kernel has it and a clsact cls_bpf
/// filter where it does not (kernels before 6.6), and says which it used.
///
/// Classic tc orders filters by priority only. `.head` and `.tail` become priorities: an empty
/// side starts at `ClassicPriorities.start` (the middle of the range, leaving room both ways),
/// `.tail` takes one above the highest priority on the side and `.head` one below the lowest,
/// counting every filter there (other tools' too). Each filter gets its own priority, at handle 1.
extension ClassicTCSystem {
    /// `mode` with `.auto` resolved: tcx when this backend's kernel has it, else tc.
    public func resolved(_ mode: AttachMode) -> AttachMode {
        switch mode {
        case .auto: hookFeatures.tcx ? .tcx : .tc
        case .tcx, .tc: mode
        }
    }

    /// Attaches `program` at `anchor` in `mode`. tcx mode is the prog-mode attach; tc mode adds a
    /// cls_bpf filter and refuses what classic tc cannot do (relative anchors, revisions).
    @discardableResult
    public func attach(_ program: Handle, to target: HookTarget, at anchor: Anchor = .tail, mode: AttachMode,
                       expectedRevision: UInt64 = 0) throws(TCXError) -> AttachPlacement {
        switch resolved(mode) {
        case .tc:
            return try attachClassic(program, to: target, at: anchor, expectedRevision: expectedRevision, asked: mode)
        case .tcx, .auto:
            try attach(program, to: target, at: anchor, expectedRevision: expectedRevision)
            return .tcx
        }
    }

    /// Creates a tcx link in `mode`. Classic tc has no links, so tc mode (and auto without tcx
    /// links) is refused.
    public func link(_ program: Handle, to target: HookTarget, at anchor: Anchor = .tail, mode: AttachMode,
                     expectedRevision: UInt64 = 0) throws(TCXError) -> Handle {
        let usable = mode == .tcx || (mode == .auto && hookFeatures.tcxLinks)
        guard usable else {
            let why = mode == .tc ? "tc mode" : "auto mode on a kernel without tcx links"
            throw TCXError(.EOPNOTSUPP, "link on \(target) in \(why): classic tc has no links (a cls_bpf filter "
                           + "stays until it is deleted, whoever holds the program); links need tcx, Linux 6.6+")
        }
        return try link(program, to: target, at: anchor, expectedRevision: expectedRevision)
    }

    /// Detaches `program` from the side. tcx mode detaches the prog-mode attachment; tc mode
    /// deletes every cls_bpf filter on the side that runs the program (ENOENT if none); auto
    /// does both where the program is. Returns what was removed.
    @discardableResult
    public func detach(program: Handle, from target: HookTarget, mode: AttachMode) throws(TCXError) -> [AttachPlacement] {
        switch mode {
        case .tcx:
            try detach(program, from: target)
            return [.tcx]
        case .tc:
            return try detachClassic(program, from: target)
        case .auto:
            let id = try programInfo(program).id
            var removed: [AttachPlacement] = []
            let tcxEntries = hookFeatures.tcx ? try state(of: target).entries : []
            if tcxEntries.contains(where: { $0.programID == id && $0.linkID == nil }) {
                try detach(program, from: target)
                removed.append(.tcx)
            }
            if try classicFilters(on: target).contains(where: { $0.kind == "bpf" && $0.programID == id }) {
                removed += try detachClassic(program, from: target)
            }
            guard !removed.isEmpty else {
                throw TCXError(.ENOENT, "detach from \(target): program id \(id) is neither attached to tcx "
                               + "(without a link) nor a cls_bpf filter there")
            }
            return removed
        }
    }

    /// The side's tcx chain and classic filters together.
    public func attachments(on target: HookTarget) throws(TCXError) -> HookAttachments {
        HookAttachments(tcx: hookFeatures.tcx ? try state(of: target) : nil, classic: try classicFilters(on: target))
    }

    private func attachClassic(_ program: Handle, to target: HookTarget, at anchor: Anchor, expectedRevision: UInt64,
                               asked: AttachMode) throws(TCXError) -> AttachPlacement {
        let how = asked == .auto ? "auto mode chose tc: this kernel has no tcx" : "tc mode"
        switch anchor {
        case .head, .tail: break
        case .before, .after:
            throw TCXError(.EOPNOTSUPP, "attach to \(target) \(anchor) in \(how): classic tc has no relative "
                           + "placement (filters run by priority alone); before/after need tcx, Linux 6.6+")
        }
        guard expectedRevision == 0 else {
            throw TCXError(.EOPNOTSUPP, "attach to \(target) with expected revision \(expectedRevision) in \(how): "
                           + "classic tc has no revisions; they need tcx, Linux 6.6+")
        }
        let info = try programInfo(program)
        // Another tool may take the priority between the read and the add (EEXIST): read again.
        var attempt = 1
        while true {
            let taken = try classicFilters(on: target).map(\.priority)
            let priority = try ClassicPriorities.next(anchor == .head ? .head : .tail, taken: taken, on: target)
            do {
                try addClassicFilter(program, on: target, priority: priority, handle: ClassicPriorities.handle,
                                     name: "\(info.name):[\(info.id)]")
                return .tc(priority: priority, handle: ClassicPriorities.handle)
            } catch where error.errno == .EEXIST && attempt < 8 {
                attempt += 1
            }
        }
    }

    private func detachClassic(_ program: Handle, from target: HookTarget) throws(TCXError) -> [AttachPlacement] {
        let id = try programInfo(program).id
        let mine = try classicFilters(on: target).filter { $0.kind == "bpf" && $0.programID == id }
        guard !mine.isEmpty else {
            throw TCXError(.ENOENT, "detach from \(target) in tc mode: no cls_bpf filter there runs program id \(id)")
        }
        for filter in mine {
            try removeClassicFilter(on: target, priority: filter.priority, handle: filter.handle)
        }
        return mine.map { .tc(priority: $0.priority, handle: $0.handle) }
    }
}

/// How head and tail become classic tc priorities.
public enum ClassicPriorities {
    public enum End: Sendable { case head, tail }

    /// The first filter on an empty side: the middle of 1…65535, so as many can go before it as after.
    public static let start: UInt16 = 0x8000
    /// Every filter attached here has its own priority, so one handle is enough.
    public static let handle: UInt32 = 1

    /// The priority for a new filter at `end` of a side whose filters have `taken` priorities.
    /// ERANGE when that end has reached the edge of the range (priority 0 is not one).
    public static func next(_ end: End, taken: [UInt16], on target: HookTarget) throws(TCXError) -> UInt16 {
        guard let lowest = taken.min(), let highest = taken.max() else { return start }
        switch end {
        case .tail:
            guard highest < UInt16.max else {
                throw TCXError(.ERANGE, "tail on \(target): a filter already has priority 65535, the highest there "
                               + "is, so nothing can run after it")
            }
            return highest + 1
        case .head:
            guard lowest > 1 else {
                throw TCXError(.ERANGE, "head on \(target): a filter already has priority 1, the lowest there is "
                               + "(0 is not a priority), so nothing can run before it")
            }
            return lowest - 1
        }
    }
}
