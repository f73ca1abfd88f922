import BPFCore
import TCX

/// The outcome of one line.
public struct LineResult: Sendable {
    public let line: ScriptLine
    /// What the backend answered, as the script prints it after ` => `.
    public let result: String
    /// True when the backend cannot do what the line asks (the kernel backend's `run`): the
    /// line's expectation is neither checked nor recorded over.
    public let skipped: Bool
    /// Why the backend refused the line, where it said (the engine always does).
    public let reason: String?

    public init(line: ScriptLine, result: String, skipped: Bool, reason: String? = nil) {
        self.line = line
        self.result = result
        self.skipped = skipped
        self.reason = reason
    }

    public var matches: Bool { skipped || line.expected == nil || line.expected == result }

    /// The printed line, with ` MISMATCH expected …` where the expectation did not hold.
    public var printed: String {
        if skipped {
            return "\(line.text) => \(result)" + (line.expected.map { " (not checked: expected \($0))" } ?? "")
        }
        var text = "\(line.text) => \(result)"
        if let expected = line.expected, expected != result { text += " MISMATCH expected \(expected)" }
        return text
    }
}

/// Runs parsed scripts against one world of a backend. A thin client of the `TCXSystem` API:
/// every line is one API call, so a script tests exactly what applications use.
public final class ScriptRunner {
    let system: any TCXSystem
    private let directory: String
    var names = ScriptNames()
    /// Ids of the programs the script still holds a handle to (not counting the handles its
    /// loaded objects keep for themselves).
    public var heldProgramIDs: Set<UInt32> {
        Set(names.handles.values.compactMap { $0.kind == .program && $0.fd != nil ? $0.id : nil })
    }
    var objects: [String: LoadedObject] = [:]

    public init(system: any TCXSystem, directory: String) {
        self.system = system
        self.directory = directory
    }

    /// Every map of every object the script loaded, as (object, map name, handle): objects
    /// in the order of their names, maps in the object's order. The handles stay the runner's.
    public var loadedMaps: [(object: String, name: String, handle: Handle)] {
        objects.values.sorted { $0.spec.name < $1.spec.name }.flatMap { object in
            zip(object.spec.maps, object.maps).map { (object.spec.name, $0.name, $1) }
        }
    }

    public func run(_ lines: [ScriptLine]) -> [LineResult] {
        lines.map(run)
    }

    public func run(_ line: ScriptLine) -> LineResult {
        do throws(TCXError) {
            return LineResult(line: line, result: try execute(line.command), skipped: false)
        } catch {
            if case .run = line.command, error.errno == .EOPNOTSUPP, system.backendName == "kernel" {
                // The contract lets the kernel answer EOPNOTSUPP here: printed, but not held
                // against the line's expectation (recorded on a backend that runs the datapath).
                return LineResult(line: line, result: "error EOPNOTSUPP", skipped: true,
                                  reason: "the \(system.backendName) backend cannot run the datapath")
            }
            return LineResult(line: line, result: "error \(error.errno.name)", skipped: false,
                              reason: error.reason.isEmpty ? nil : error.reason)
        }
    }

    // MARK: Commands

    private func execute(_ command: ScriptCommand) throws(TCXError) -> String {
        switch command {
        case .progReturning(let name, let value):
            try rebind(name, kind: .program) { () throws(TCXError) in try system.loadProgram(.returning(value, name: name)) }
            return "ok"
        case .progLoad(let name, let file, let section):
            try rebind(name, kind: .program) { () throws(TCXError) in try object(file).loadProgram(section, as: name) }
            return "ok"
        case .devVeth(let name, let peer):
            let (index, peerIndex) = try system.createVeth(name: name, peer: peer)
            names.devices[name] = index
            names.devices[peer] = peerIndex
            return "ok"
        case .devNetkit(let spec):
            let (index, peerIndex) = try system.createNetkit(spec)
            names.devices[spec.name] = index
            names.devices[spec.peer] = peerIndex
            return "ok"
        case .devDelete(let name):
            try system.deleteDevice(ifindex: names.ifindex(name))
            return "ok"
        case .attach(let program, let device, let hook, let flags, let relative, let replace, let revision):
            try system.attach(RawAttach(
                program: names.fd(program), target: target(device, hook), flags: flags,
                replaceProgram: replace.map(names.fd) ?? 0,
                relative: relative.map { names.value(of: $0, byID: flags & AttachFlags.id.rawValue != 0) } ?? 0,
                expectedRevision: revision))
            return "ok"
        case .detach(let program, let device, let hook, let flags, let relative, let revision):
            try system.detach(RawDetach(
                program: program.map(names.fd) ?? 0, target: target(device, hook), flags: flags,
                relative: relative.map { names.value(of: $0, byID: flags & AttachFlags.id.rawValue != 0) } ?? 0,
                expectedRevision: revision))
            return "ok"
        case .link(let name, let program, let device, let hook, let flags, let relative, let revision):
            let request = RawLinkCreate(
                program: names.fd(program), target: target(device, hook), flags: flags,
                relative: relative.map { names.value(of: $0, byID: flags & AttachFlags.id.rawValue != 0) } ?? 0,
                expectedRevision: revision)
            try rebind(name, kind: .link) { () throws(TCXError) in try system.createLink(request) }
            return "ok"
        case .update(let link, let program, let old):
            try system.updateLink(RawLinkUpdate(
                link: names.fd(link), newProgram: names.fd(program),
                flags: old == nil ? 0 : bpfFReplace, oldProgram: old.map(names.fd) ?? 0))
            return "ok"
        case .linkDetach(let link):
            try system.detachLink(Handle(rawValue: names.fd(link)))
            return "ok"
        case .close(let name):
            try system.close(Handle(rawValue: names.fd(.name(name))))
            names.handles[name]?.fd = nil
            return "ok"
        case .pin(let handle, let path):
            try system.pin(Handle(rawValue: names.fd(handle)), at: try PinPath(path))
            return "ok"
        case .get(let name, let path):
            let pin = try PinPath(path)
            let handle = try system.getPinned(pin)
            let kind: ObjectKind
            do throws(TCXError) {
                kind = try system.kind(of: handle)
            } catch {
                try? system.close(handle)
                throw error
            }
            try rebind(name, kind: kind) { () throws(TCXError) in handle }
            return "ok"
        case .unpin(let path):
            try system.unpin(try PinPath(path))
            return "ok"
        case .query(let device, let hook, let count):
            let reply = try system.query(RawQuery(target: target(device, hook), capacity: count ?? 64))
            let progs = reply.programIDs.map(names.programName)
            let links = reply.linkIDs.map { $0 == 0 ? "-" : names.linkName($0) }
            let text = "rev=\(reply.revision) count=\(reply.count) progs=[\(progs.joined(separator: ","))] links=[\(links.joined(separator: ","))]"
            return reply.truncated ? "error ENOSPC \(text)" : text
        case .info(let link):
            let info = try system.linkInfo(Handle(rawValue: names.fd(link)))
            let device = info.ifindex == 0 ? "-" : (names.deviceName(info.ifindex) ?? "?\(info.ifindex)")
            let kind = info.type == .netkit ? "netkit" : "tcx"
            return "\(kind) prog=\(names.programName(info.programID)) dev=\(device) hook=\(info.attachType.hookName)"
        case .testRun(let program, let packet, let count):
            let result = try system.testRun(Handle(rawValue: names.fd(program)), packet: packet, repeat: count)
            return "ret=\(Int32(bitPattern: result.returnValue)) out=\(hex(result.packetOut))"
        case .run(let device, let hook, let packet):
            let result = try system.run(target(device, hook), packet: packet)
            let trace = result.trace.map(names.programName).joined(separator: ",")
            let verdict = Verdict(rawValue: result.verdict)?.description ?? "\(result.verdict)"
            var text = "verdict=\(verdict) trace=[\(trace)]"
            if let redirect = result.redirectIfindex {
                text += " dev=\(names.deviceName(redirect) ?? "?\(redirect)")"
            }
            return text
        case .testRunOnDevice, .mac, .mtu, .addr, .route, .neigh, .listen:
            return try executeNetwork(command)
        case .mapUpdate, .mapUpdateProgram, .mapLookup, .mapDelete:
            return try executeMapCommand(command)
        }
    }

    private func objectPath(_ file: String) -> String {
        file.hasPrefix("/") ? file : directory + "/" + file
    }

    /// The object a FILE names, loaded once per script: every program from it shares its maps.
    func object(_ file: String) throws(TCXError) -> LoadedObject {
        let path = objectPath(file)
        if let loaded = objects[path] { return loaded }
        guard let system = system as? any BPFObjectSystem else {
            throw TCXError(.EOPNOTSUPP, "the \(system.backendName) backend cannot load objects")
        }
        let bytes: [UInt8]
        do { bytes = try BoundedInput.read(path, .object) } catch { throw TCXError(error.errno, error.description) }
        let loaded = try LoadedObject(bytes: bytes, name: file, system: system)
        objects[path] = loaded
        return loaded
    }

    private func target(_ device: String, _ hook: AttachType) -> HookTarget {
        HookTarget(ifindex: names.ifindex(device), attachType: hook)
    }

    /// Binding a name again: the command runs first, and only once the new object exists is
    /// the handle the name still holds closed. A failure leaves the name as it was.
    private func rebind(_ name: String, kind: ObjectKind, _ create: () throws(TCXError) -> Handle) throws(TCXError) {
        let handle = try create()
        let previous = names.handles[name]?.fd
        do throws(TCXError) {
            try bind(name, to: handle, kind: kind)
        } catch {
            try? system.close(handle)
            throw error
        }
        if let previous { try? system.close(Handle(rawValue: previous)) }
    }

    /// Binds `name` to a new handle and learns the object's id so results can show the name.
    private func bind(_ name: String, to handle: Handle, kind: ObjectKind) throws(TCXError) {
        let id: UInt32?
        switch kind {
        case .program:
            let program = try system.programInfo(handle).id
            names.remember(program: program, as: name)
            id = program
        case .link:
            let link = try system.linkInfo(handle).id
            names.remember(link: link, as: name)
            id = link
        case .map:
            id = nil  // a pinned map: the name stands for its handle only
        }
        names.handles[name] = .init(fd: handle.rawValue, id: id, kind: kind)
    }

    func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
