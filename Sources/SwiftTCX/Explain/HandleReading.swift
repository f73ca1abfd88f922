import TCX

/// Which field of a request a handle fills.
public enum HandleRole: String, Hashable, Sendable {
    case program = "program"
    case replaceProgram = "replace program"
    case relativeProgram = "relative program"
    case relativeLink = "relative link"
    case link = "link"
    case newProgram = "new program"
    case oldProgram = "old program"
}

/// What a handle of the request was when the refusal was explained, read with info calls only.
public enum HandleReading: Hashable, Sendable {
    case program(ProgramInfo)
    case link(LinkInfo)
    /// A map, or a link of another kind than tcx or netkit.
    case otherObject(ObjectKind)
    /// Open, but not a BPF object (fd 0 is stdin).
    case notBPF
    /// Not an open descriptor (closed already, or never opened).
    case notOpen
}

/// One handle field of a refused request and what it referred to.
public struct HandleField: Hashable, Sendable, CustomStringConvertible {
    public let role: HandleRole
    /// The handle as the request carried it.
    public let value: UInt32
    public let reading: HandleReading

    public var description: String {
        let what: String
        switch reading {
        case .program(let info):
            what = info.name.isEmpty ? "program id \(info.id)" : "program id \(info.id) '\(info.name)'"
        case .link(let info):
            what = "link id \(info.id) running program id \(info.programID)"
                + (info.ifindex == 0 ? ", detached" : "")
        case .otherObject(let kind): what = "a \(kind) of another kind than the request needs"
        case .notBPF: what = "not a BPF object"
        case .notOpen: what = "not open"
        }
        return "fd \(value) (\(what))"
    }
}

extension TCXSystem {
    /// Reads what `handle` refers to without opening, closing or changing anything.
    func reading(of handle: Handle) -> HandleReading {
        let kind: ObjectKind
        do {
            kind = try self.kind(of: handle)
        } catch {
            return error.errno == .EBADF || error.errno == .EBADFD ? .notOpen : .notBPF
        }
        switch kind {
        case .program:
            guard let info = try? programInfo(handle) else { return .otherObject(.program) }
            return .program(info)
        case .link:
            // A link of another kind (XDP, cgroup, …) has no tcx info: the kernel refuses it too.
            guard let info = try? linkInfo(handle) else { return .otherObject(.link) }
            return .link(info)
        case .map:
            return .otherObject(.map)
        }
    }
}
