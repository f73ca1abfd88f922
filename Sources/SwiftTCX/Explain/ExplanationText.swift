import TCX

/// Renders an explanation as lines a person reads top to bottom: what was asked, what the
/// world said, the rule, the hook, what to do.
struct ExplanationText {
    let request: RefusedRequest
    let worldError: TCXError
    let backendName: String
    let handles: [HandleField]
    let target: HookTarget?
    let hook: HookState?
    let engine: EngineOutcome
    let advice: String

    /// Hooks longer than this show only the positions that matter and their ends.
    private static let fullListLimit = 12

    func render() -> String {
        var lines = ["\(request.commandName) refused: \(worldError.errno.name) from the \(backendName)"]
        lines.append("  request: " + RequestSummary(request: request, handles: handles, target: target).text)
        if !worldError.reason.isEmpty { lines.append("  \(backendName) said: \(worldError.reason)") }
        lines += verdictLines
        lines += hookLines
        lines.append("  what to do: \(advice)")
        return lines.joined(separator: "\n")
    }

    private var verdictLines: [String] {
        switch engine {
        case .refused(let error) where error.errno == worldError.errno:
            return ["  rule: \(error.reason)",
                    "  the engine, replaying it on the same hook, refuses with \(error.errno.name) too: a rule of the hook order"]
        case .refused(let error):
            return ["  the engine, replaying it on the same hook, refuses with \(error.errno.name) instead: \(error.reason)",
                    "  so \(worldError.errno.name) is not a rule of the hook order (a program type, a device, a permission?)"]
        case .accepted:
            return ["  the engine, replaying it on the same hook, accepts it",
                    "  so \(worldError.errno.name) is not a rule of the hook order (a program type, a device, a permission?)"]
        case .notReplayed(let why):
            return ["  not replayed on the engine: \(why)"]
        }
    }

    private var hookLines: [String] {
        guard let target else { return ["  no hook: the request names none that could be read"] }
        guard let hook else { return ["  \(target): could not be read"] }
        var lines = ["  \(target) at revision \(hook.revision), \(hook.entries.count) entr\(hook.entries.count == 1 ? "y" : "ies")\(hook.entries.isEmpty ? "" : ":")"]
        let shown = shownPositions(in: hook)
        var previous = -1
        for position in shown {
            if position > previous + 1 { lines.append("    …  \(position - previous - 1) more") }
            let entry = hook.entries[position]
            let owner = entry.linkID.map { "link id \($0)" } ?? "prog mode"
            lines.append("    \(position)  program id \(entry.programID)  \(owner)\(marker(for: entry))")
            previous = position
        }
        if previous < hook.entries.count - 1 { lines.append("    …  \(hook.entries.count - 1 - previous) more") }
        return lines
    }

    /// Every position on a short hook; on a long one the ends and the objects the request names.
    private func shownPositions(in hook: HookState) -> [Int] {
        let all = Array(hook.entries.indices)
        guard all.count > Self.fullListLimit else { return all }
        var chosen = Set(all.prefix(2) + all.suffix(2))
        for (index, entry) in hook.entries.enumerated() where !marker(for: entry).isEmpty {
            chosen.formUnion([index - 1, index, index + 1].filter { all.contains($0) })
        }
        return chosen.sorted()
    }

    /// "  <- relative program" and the like, for the entries the request names.
    private func marker(for entry: HookState.Entry) -> String {
        var roles: [String] = []
        for field in handles {
            switch field.reading {
            case .program(let info) where info.id == entry.programID && field.role != .relativeLink:
                roles.append(field.role.rawValue)
            case .link(let info) where info.id == entry.linkID:
                roles.append(field.role.rawValue)
            default: continue
            }
        }
        if let relative = request.relativeID,
           relative.isLink ? relative.id == entry.linkID : relative.id == entry.programID {
            roles.append(relative.isLink ? "relative link" : "relative program")
        }
        return roles.isEmpty ? "" : "   <- " + roles.joined(separator: ", ")
    }
}
