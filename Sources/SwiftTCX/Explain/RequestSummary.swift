import TCX

/// One line that says what a request asked, naming objects by the world's ids.
struct RequestSummary {
    let request: RefusedRequest
    let handles: [HandleField]
    let target: HookTarget?

    var text: String {
        var parts: [String] = []
        switch request {
        case .attach: parts.append("attach \(handle(.program)) to \(hookName)")
        case .detach(let raw):
            parts.append(raw.program == 0 ? "detach by position from \(hookName)" : "detach \(handle(.program)) from \(hookName)")
        case .linkCreate: parts.append("link \(handle(.program)) to \(hookName)")
        case .linkUpdate: parts.append("update \(handle(.link)) to run \(handle(.newProgram))")
        }
        parts.append("flags \(request.flags)")
        if request.flags.contains(.replace), case .attach = request { parts.append("replacing \(handle(.replaceProgram))") }
        if request.flags.contains(.replace), case .linkUpdate = request { parts.append("expecting \(handle(.oldProgram))") }
        if let relative = request.relativeID {
            parts.append("relative \(relative.isLink ? "link" : "program") id \(relative.id)")
        } else if let field = handles.first(where: { $0.role == .relativeProgram || $0.role == .relativeLink }) {
            parts.append("relative \(field)")
        } else if request.flags.contains(.link) {
            parts.append("no relative link")
        }
        if request.expectedRevision != 0 { parts.append("expected revision \(request.expectedRevision)") }
        return parts.joined(separator: ", ")
    }

    private var hookName: String {
        request.namedTarget.map(\.description) ?? target.map(\.description) ?? "its hook"
    }

    private func handle(_ role: HandleRole) -> String {
        handles.first { $0.role == role }.map(\.description) ?? "fd 0"
    }
}
