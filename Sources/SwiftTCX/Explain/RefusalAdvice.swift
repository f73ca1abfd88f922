import TCX

/// What to do about a refusal, from the rule that fired and the hook as it was.
struct RefusalAdvice {
    let request: RefusedRequest
    let handles: [HandleField]
    let hook: HookState?

    func advice(for errno: LinuxErrno) -> String {
        switch errno {
        case .ESTALE:
            let now = hook.map { "it is at \($0.revision) now" } ?? "query it"
            return "someone changed the hook since you read its revision (\(now)): re-read the revision and retry "
                + "(retryingOnStale(_:) does both)"
        case .EEXIST:
            return "a program sits on a hook at most once, in prog mode or through a link: detach it (or its link) "
                + "first, or load a second copy of it"
        case .ENOENT:
            return notFoundAdvice
        case .EBUSY:
            return "a prog-mode request cannot take a link's slot: detach the link instead (BPF_LINK_DETACH, or close "
                + "its last handle and pin), or update the link to change its program"
        case .ERANGE:
            return rangeAdvice
        case .EINVAL:
            return invalidAdvice
        case .EBADF, .EBADFD:
            let closed = handles.filter { $0.reading == .notOpen }.map { "fd \($0.value)" }
            let which = closed.isEmpty ? "a handle" : closed.joined(separator: " and ")
            return "\(which) is not open (closed already?): get a new handle, by id or from its pin"
        case .EPERM where isLinkUpdate:
            return "the link no longer runs the program you expected: read the link's program (link info) and retry "
                + "with it, or update without BPF_F_REPLACE"
        case .ENOLINK:
            return "the link is detached (BPF_LINK_DETACH, or its device went): create a new link"
        case .ENODEV:
            return "no device has that ifindex in this world: list the devices and use one of them"
        default:
            return "this errno is not one of the hook order's: check permissions, the device and the program"
        }
    }

    private var isLinkUpdate: Bool {
        if case .linkUpdate = request { return true }
        return false
    }

    private var notFoundAdvice: String {
        if case .detach = request, hook?.entries.isEmpty ?? true {
            return "the hook is empty: there is nothing to detach"
        }
        if case .linkCreate = request, request.flags.contains(.replace) {
            return "a new link has nothing to replace: create it without BPF_F_REPLACE, or update the existing link"
        }
        return "every object a request names must be on this hook: query it (the positions are below) and name "
            + "one that is there"
    }

    private var rangeAdvice: String {
        let count = hook?.entries.count ?? 0
        if count >= 63 {
            if case .detach = request {
                return "on a full hook the last entry cannot be chosen by position: name the program to detach"
            }
            if !request.flags.contains(.replace) {
                return "the hook is full (63 entries): detach one first (a REPLACE still works on a full hook)"
            }
        }
        return "the positions the flags name disagree: use before or after, not both, and with replace name a relative "
            + "right next to the program replaced"
    }

    private var invalidAdvice: String {
        for field in handles {
            switch field.reading {
            case .notBPF, .otherObject:
                return "\(field.role.rawValue) \(field) is not what the request needs: pass a "
                    + (field.role == .relativeLink || field.role == .link ? "tcx link's handle" : "program's handle")
            case .program(let info) where info.type != .schedCLS && field.role != .relativeLink:
                return "\(field.role.rawValue) \(field) is a \(info.type) program; tcx and netkit hooks run sched_cls programs"
            case .link where field.role != .link && field.role != .relativeLink:
                return "\(field.role.rawValue) \(field) is a link: pass a program's handle, or BPF_F_LINK to name a link"
            case .program where field.role == .relativeLink || field.role == .link:
                return "\(field.role.rawValue) \(field) is a program: pass a link's handle, or drop BPF_F_LINK"
            default:
                continue
            }
        }
        return "give a relative object together with before, after or replace, and no other flag bits; "
            + "without a relative, before alone means the head and after alone the tail"
    }
}
