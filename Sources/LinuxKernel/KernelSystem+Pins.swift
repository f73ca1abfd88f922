import BPFCore
import Glibc
import SystemPackage
import TCX

/// BPF_OBJ_PIN / BPF_OBJ_GET in the world's bpffs, and unpinning by unlink(2).
extension KernelSystem {
    public func pin(_ handle: Handle, at path: PinPath) throws(TCXError) {
        try world.run { state throws(TCXError) in
            let file = try state.pins.file(path)
            try Pins.object(.objPin, file, fd: handle.rawValue, "\(handle) at '\(path)'")
        }
    }

    public func getPinned(_ path: PinPath) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in
            state.adopt(try Pins.object(.objGet, try state.pins.file(path), fd: 0, "'\(path)'"))
        }
    }

    /// Makes the directories between the bpffs root and a pin, as bpftool does before it pins.
    public func makeParentDirectories(of path: PinPath) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var directory = state.pins.root
            let below = Array(try state.pins.file(path).components.dropFirst(state.pins.root.components.count))
            for component in below.dropLast() {
                directory.append(component)
                guard directory.withPlatformString({ mkdir($0, 0o700) }) == 0 || errno == EEXIST else {
                    let code = LinuxErrno(rawValue: errno)
                    throw TCXError(code, "mkdir '\(directory)' for pin '\(path)': \(BPFSyscall.describe(code))")
                }
            }
        }
    }

    public func unpin(_ path: PinPath) throws(TCXError) {
        try world.run { state throws(TCXError) in
            let file = try state.pins.file(path)
            let link = Pins.attachedLink(at: file)
            let removed = file.withPlatformString { unlink($0) }
            guard removed == 0 else {
                let code = LinuxErrno(rawValue: errno)
                throw TCXError(code, "unlink pin '\(path)': \(BPFSyscall.describe(code))")
            }
            if let link, !Pins.isHeld(link.id, by: state) { Pins.awaitDetach(link) }
        }
    }
}

enum Pins {
    /// How long an unpinned link may take to be released (an RCU grace period and a work item).
    static let releaseTimeout = Duration.seconds(5)

    @discardableResult
    static func object(_ command: BPFCommand, _ file: FilePath, fd: UInt32, _ context: String) throws(TCXError) -> Int32 {
        let outcome = file.withPlatformString { path in
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.Object.pathname, pointer: path)
            attr.set(BPFAttr.Object.bpfFD, fd)
            return BPFSyscall.attempt(command, &attr)
        }
        switch outcome {
        case .success(let fd): return fd
        case .failure(let code): throw BPFSyscall.failure(command, code, context)
        }
    }

    /// The id of the link pinned at `file`, nil for programs and anything unreadable.
    static func linkID(at file: FilePath) -> UInt32? {
        guard let fd = try? object(.objGet, file, fd: 0, "") else { return nil }
        defer { _ = Glibc.close(fd) }
        return (try? FDInfo(fd))?.linkID
    }

    /// The link pinned at `file` if it is still attached to a hook.
    static func attachedLink(at file: FilePath) -> (id: UInt32, hook: HookTarget)? {
        guard let fd = try? object(.objGet, file, fd: 0, "") else { return nil }
        defer { _ = Glibc.close(fd) }
        return attachedLink(fd: fd)
    }

    /// The link behind `fd` if it is attached to a hook; nil for anything else.
    static func attachedLink(fd: Int32) -> (id: UInt32, hook: HookTarget)? {
        guard (try? FDInfo(fd))?.linkID != nil else { return nil }
        let handle = Handle(rawValue: UInt32(bitPattern: fd))
        guard let info = try? ObjectInfo.read(handle, size: LinkInfoLayout.size, expecting: .link) else { return nil }
        let ifindex = info.get32(LinkInfoLayout.ifindex)
        guard ifindex != 0 else { return nil }
        return (info.get32(LinkInfoLayout.id),
                HookTarget(ifindex: ifindex, attachType: AttachType(rawValue: info.get32(LinkInfoLayout.attachType))))
    }

    /// True if a handle of the world or another of its pins still refers to link `id`: then
    /// unpinning did not release it and there is nothing to wait for.
    static func isHeld(_ id: UInt32, by state: WorldState) -> Bool {
        if state.handles.contains(where: { (try? FDInfo($0))?.linkID == id }) { return true }
        return state.pins.allPins().contains { linkID(at: $0) == id }
    }

    /// After the world's last handle of an attached link is closed: the kernel releases the link
    /// only with its last reference, and whoever lists links (bpftool, `tcx host`, a monitoring
    /// agent) holds one for a moment, so the release may happen in their close, after ours
    /// returned. Takes a reference by id and drops it, so the last one is dropped here, until the
    /// id stops resolving; a holder that keeps it for longer than `patience` is a real owner.
    static func awaitRelease(_ link: (id: UInt32, hook: HookTarget), patience: Duration = .seconds(1)) {
        let deadline = ContinuousClock.now + patience
        var delay: UInt32 = 50
        while true {
            guard let fd = try? Inventory.open(.linkGetFDByID, id: link.id) else { break }
            _ = Glibc.close(fd)
            guard ContinuousClock.now < deadline else { return }
            usleep(delay)
            delay = min(delay * 2, 10_000)
        }
        awaitDetach(link)
    }

    /// Waits until the kernel's deferred release of the link has taken it out of its hook.
    /// Its id stops resolving (ENOENT) as soon as the last reference goes, before the release
    /// work detaches it, so the hook itself is watched.
    static func awaitDetach(_ link: (id: UInt32, hook: HookTarget)) {
        let deadline = ContinuousClock.now + releaseTimeout
        var delay: UInt32 = 50
        while ContinuousClock.now < deadline {
            let query = RawQuery(target: link.hook, capacity: UInt32(maxProgramsPerHook + 1))
            guard let reply = try? HookQuery.run(query), reply.linkIDs.contains(link.id) else { return }
            usleep(delay)
            delay = min(delay * 2, 10_000)
        }
    }
}
