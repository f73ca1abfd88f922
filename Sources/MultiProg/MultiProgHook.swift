import BPFCore

/// The ordered program list of one hook: the kernel's bpf_mprog bundle.
///
/// Control data (the slots with their links, the revision) lives here; the datapath reads only
/// `published`. Not thread-safe for changes: the owner serialises control operations (the
/// kernel holds the device lock). Every refused change throws before anything is modified.
public final class MultiProgHook<Program: AnyObject, Link: AnyObject> {
    public typealias Entry = Slot<Program, Link>
    public typealias Relative = RelativeObject<Program, Link>

    /// Incremented by one on every successful change; starts at 1.
    public private(set) var revision: UInt64 = 1
    public private(set) var slots: [Entry] = []
    public let published = PublishedArray<Program>()
    /// How to print a program in a refusal's reason.
    private let describe: (Program) -> String

    public init(describe: @escaping (Program) -> String = { _ in "program" }) {
        self.describe = describe
    }

    public var count: Int { slots.count }

    // MARK: Attach

    /// Inserts `entry`, or replaces `replacing` with it, placed by `flags` and `relative`.
    ///
    /// - `replacing` is the slot a REPLACE aims at (prog mode: the old program with no link;
    ///   link update: the link's program with the link); nil when there is none to aim at.
    /// - `resolveRelative` resolves the relative object (or returns nil for none). It runs at
    ///   the point where the kernel resolves it, so its errors win and lose exactly as there.
    /// - Returns the entry that was replaced, if any: its references may be released now, as
    ///   no reader can still see it.
    @discardableResult
    public func attach(_ entry: Entry, flags: AttachFlags, expectedRevision: UInt64,
                       replacing: Entry?,
                       resolveRelative: () throws -> Relative?) throws -> Entry? {
        try checkRevision(expectedRevision)
        if let index = slots.firstIndex(where: { $0.program === entry.program }) {
            throw MultiProgRefusal(.EEXIST, "\(describe(entry.program)) is already attached at position \(index)")
        }
        let relative = try resolveRelative()
        var candidate: Int?
        var rule = ""
        if flags.contains(.replace) {
            guard let target = replacing,
                  let index = slots.firstIndex(where: { $0.program === target.program }) else {
                throw MultiProgRefusal(.ENOENT, replacing.map { "the program to replace, \(describe($0.program)), is not attached here" }
                                       ?? "replace names no program to replace")
            }
            guard slots[index].hasLink(target.link) else {
                throw MultiProgRefusal(.EBUSY, "\(describe(target.program)) at position \(index) is owned by a link; only its link may replace it")
            }
            candidate = index
            rule = "replace puts it at \(index)"
        } else if slots.count >= maxProgramsPerHook {
            throw MultiProgRefusal(.ERANGE, "the hook already holds \(maxProgramsPerHook) entries, the most it can")
        }
        try applyDirection(flags, relative: relative, candidate: &candidate, rule: &rule)
        guard let position = candidate else {
            if relative != nil {
                throw MultiProgRefusal(.EINVAL, "a relative object (\(relative!.label)) needs before, after or replace")
            }
            if flags.rawValue != 0 {
                throw MultiProgRefusal(.EINVAL, "flags \(flags) say neither before, after nor replace")
            }
            return try insert(entry, at: slots.count)
        }
        if position >= maxProgramsPerHook {
            throw MultiProgRefusal(.ERANGE, "position \(position) is beyond the last slot")
        }
        if flags.contains(.replace) {
            let old = slots[position]
            slots[position] = entry
            commit()
            return old
        }
        if position == slots.count { return try insert(entry, at: position) }
        return try insert(entry, at: flags.contains(.before) ? position + 1 : position)
    }

    private func insert(_ entry: Entry, at index: Int) throws -> Entry? {
        slots.insert(entry, at: index)
        commit()
        return nil
    }

    // MARK: Detach

    /// Removes a slot chosen by `entry` (the program given, with its link for a link detach)
    /// and/or by `flags` and `relative`. Returns the removed entry; its references may be
    /// released now.
    @discardableResult
    public func detach(_ entry: Entry?, flags: AttachFlags, expectedRevision: UInt64,
                       resolveRelative: () throws -> Relative?) throws -> Entry {
        if flags.contains(.replace) {
            throw MultiProgRefusal(.EINVAL, "replace is not a detach flag")
        }
        try checkRevision(expectedRevision)
        if slots.isEmpty {
            throw MultiProgRefusal(.ENOENT, "the hook holds no programs")
        }
        let relative = try resolveRelative()
        var candidate: Int?
        var rule = ""
        if let entry {
            guard let index = slots.firstIndex(where: { $0.program === entry.program }) else {
                throw MultiProgRefusal(.ENOENT, "\(describe(entry.program)) is not attached here")
            }
            guard slots[index].hasLink(entry.link) else {
                throw MultiProgRefusal(.EBUSY, "\(describe(entry.program)) at position \(index) is owned by a link; detach the link instead")
            }
            candidate = index
            rule = "the program sits at \(index)"
        }
        try applyDirection(flags, relative: relative, candidate: &candidate, rule: &rule)
        let position: Int
        if let candidate {
            position = candidate
        } else {
            if relative != nil {
                throw MultiProgRefusal(.EINVAL, "a relative object (\(relative!.label)) needs before or after to choose a slot")
            }
            if flags.rawValue != 0 {
                throw MultiProgRefusal(.EINVAL, "flags \(flags) choose no slot without a program")
            }
            position = slots.count
        }
        if position >= maxProgramsPerHook {
            throw MultiProgRefusal(.ERANGE, "the last slot of a full hook cannot be chosen by position (\(position) ≥ \(maxProgramsPerHook))")
        }
        let index = position < 0 ? 0 : (position == slots.count ? slots.count - 1 : position)
        let victim = slots[index]
        if victim.link != nil && !(entry.map { victim.hasLink($0.link) } ?? false) {
            throw MultiProgRefusal(.EBUSY, "the slot at position \(index) is owned by a link; detach the link instead")
        }
        slots.remove(at: index)
        commit()
        return victim
    }

    // MARK: Shared rules

    private func checkRevision(_ expected: UInt64) throws {
        if expected != 0 && expected != revision {
            throw MultiProgRefusal(.ESTALE, "expected revision \(expected), but the hook is at \(revision)")
        }
    }

    /// BEFORE and AFTER each name a position; every position named must agree.
    private func applyDirection(_ flags: AttachFlags, relative: Relative?, candidate: inout Int?,
                                rule: inout String) throws {
        for (flag, word, offset) in [(AttachFlags.before, "before", -1), (.after, "after", 1)]
        where flags.contains(flag) {
            let position: Int
            let why: String
            if let relative {
                guard let index = index(of: relative) else {
                    throw MultiProgRefusal(.ENOENT, "the relative object \(relative.label) is not attached here")
                }
                position = index + offset
                why = "\(word) \(relative.label) puts it at \(position)"
            } else {
                position = offset < 0 ? -1 : slots.count
                why = offset < 0 ? "before with no relative means the head (-1)" : "after with no relative means the tail (\(position))"
            }
            if let current = candidate, current != position {
                throw MultiProgRefusal(.ERANGE, "\(rule), \(why): they disagree")
            }
            candidate = position
            rule = why
        }
    }

    /// A link relative matches only its own slot; a program relative matches the slot holding
    /// that program, prog-mode or link-owned.
    public func index(of relative: Relative) -> Int? {
        if let link = relative.link {
            return slots.firstIndex { $0.link === link }
        }
        return slots.firstIndex { $0.program === relative.program }
    }

    /// Publishes the control layout (already changed in place, within the capacity reserved at
    /// creation, so nothing allocates), waits out the readers of the old one, counts the change.
    private func commit() {
        published.publish(slots.lazy.map(\.program))
        revision &+= 1
    }

    /// Starts the revision again at 1 on an empty hook: what a freed and re-created kernel
    /// bundle looks like, without giving up the arrays readers may hold.
    public func restartRevision() {
        precondition(slots.isEmpty, "only an empty hook starts its revision again")
        revision = 1
    }

    /// Removes every slot at once (device removal); the revision is not observable afterwards.
    public func removeAll() -> [Entry] {
        let old = slots
        slots.removeAll(keepingCapacity: true)
        commit()
        return old
    }
}
