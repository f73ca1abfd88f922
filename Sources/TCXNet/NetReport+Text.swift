extension NetReport {
    /// bpftool-style text: one block per device, one line per hook with its revision and its
    /// programs in order as `name(id)`, followed by `link(id)` for a link (nothing in prog mode).
    ///
    ///     veth0(3) veth peer veth1(2)
    ///         tcx/ingress rev 4: tc3(12), tc2(13) link(7)
    ///         tcx/egress rev 1: -
    ///         clsact/ingress pref 1 handle 0x1 bpf: cls(40) "cls.o:[tc]" direct-action
    public var text: String {
        var lines: [String] = []
        for device in devices {
            var title = "\(device.name)(\(device.ifindex)) \(device.kind)"
            if let peer = device.peer { title += " peer \(peer.name ?? "?")(\(peer.ifindex))" }
            lines.append(title)
            for hook in device.hooks {
                let entries = hook.entries.map(Self.describe)
                lines.append("    \(hook.name) rev \(hook.revision): " + (entries.isEmpty ? "-" : entries.joined(separator: ", ")))
            }
            for filter in device.classic ?? [] { lines.append("    " + Self.describe(filter)) }
        }
        if devices.contains(where: { $0.classic == nil }) {
            lines.append("classic tc: not shown (the tcx API of \(source == "embedded" ? "an" : "a") \(source) world has no classic tc query)")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ entry: Entry) -> String {
        let program = "\(entry.programName ?? "?")(\(entry.programID))"
        return entry.linkID.map { "\(program) link(\($0))" } ?? program
    }

    static func describe(_ filter: ClassicFilter) -> String {
        var text = "\(filter.parent) pref \(filter.priority) handle 0x\(String(filter.handle, radix: 16)) \(filter.kind)"
        guard let id = filter.programID else { return text }
        text += ": \(filter.programName ?? "?")(\(id))"
        if let name = filter.name { text += " \"\(name)\"" }
        if filter.directAction { text += " direct-action" }
        return text
    }
}
