import BPFCore
import Glibc
import SystemPackage
import TCX

/// The Linux kernel backend: every call is the real bpf(2) or rtnetlink operation.
///
/// Each instance is one world in a `KernelScope`: a sandbox (a fresh network namespace with
/// `lo` up and a private bpffs mount, both removed by `shutdown()` or deinit), the host (the
/// process's network namespace and the machine's bpffs), or a named network namespace.
/// Every operation runs on the world's own thread, the one that entered that namespace, and
/// the caller waits for it. Shutting down closes only what the world opened.
public final class KernelSystem: TCXSystem {
    public let backendName = "kernel"
    let world: WorldThread<WorldState>
    /// Where the world's bpffs is mounted.
    public let pinRoot: String
    /// The inode of the world's network namespace, to check it is gone after shutdown.
    public let namespaceInode: UInt64
    /// The world's network namespace as a path (`/proc/PID/task/TID/ns/net`), valid while the
    /// world is open: `nsenter --net=PATH tc …` runs a tool inside it.
    public let namespacePath: String

    public let scope: KernelScope

    /// Opens a world in `scope`. A sandbox needs CAP_SYS_ADMIN (unshare and mount); every
    /// scope needs CAP_BPF and CAP_NET_ADMIN for the changes it makes.
    public init(scope: KernelScope = .sandbox) throws(TCXError) {
        Self.ensureStandardDescriptors()
        let world = try WorldThread(name: "tcx-kernel-world", scope: scope) { () throws(TCXError) in
            try WorldState(scope: scope)
        }
        let (root, inode, path) = try world.run { state throws(TCXError) in
            (state.pins.root.string, state.namespaceInode, state.namespacePath)
        }
        self.world = world
        self.scope = scope
        pinRoot = root
        namespaceInode = inode
        namespacePath = path
    }

    deinit { shutdown() }

    public func shutdown() {
        world.stop { state in state.tearDown() }
    }

    // MARK: Programs and handles

    public func loadProgram(_ spec: ProgramSpec) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in state.adopt(try ProgramLoader.load(spec)) }
    }

    /// Closes the handle; when it was the world's last reference to an attached link, returns
    /// once the kernel has taken the link off its hook (see `Pins.awaitRelease`).
    public func close(_ handle: Handle) throws(TCXError) {
        try world.run { state throws(TCXError) in
            let link = Pins.attachedLink(fd: try state.owned(handle, "close").rawValue)
            try state.close(handle)
            if let link, !Pins.isHeld(link.id, by: state) { Pins.awaitRelease(link) }
        }
    }

    public func duplicate(_ handle: Handle) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in
            let fd = try state.owned(handle, "dup")
            let copy: FileDescriptor
            do {
                copy = try fd.duplicate()
            } catch let error as Errno {
                throw TCXError(LinuxErrno(rawValue: error.rawValue), "dup(\(handle)): \(error)")
            } catch {
                throw TCXError(.EBADF, "dup(\(handle)): \(error)")
            }
            return state.adopt(copy.rawValue)
        }
    }

    public func programInfo(_ handle: Handle) throws(TCXError) -> ProgramInfo {
        try world.run { _ throws(TCXError) in
            let info = try ObjectInfo.read(handle, size: ProgInfoLayout.size, expecting: .program)
            return ProgramInfo(id: info.get32(ProgInfoLayout.id),
                               type: ProgramType(rawValue: info.get32(ProgInfoLayout.type)),
                               name: info.string(ProgInfoLayout.name))
        }
    }

    public func linkInfo(_ handle: Handle) throws(TCXError) -> LinkInfo {
        try world.run { _ throws(TCXError) in
            let info = try ObjectInfo.read(handle, size: LinkInfoLayout.size, expecting: .link)
            let rawType = info.get32(LinkInfoLayout.type)
            guard let type = LinkType(rawValue: rawType) else {
                throw TCXError(.EINVAL, "BPF_OBJ_GET_INFO_BY_FD: \(handle) is a link of type \(rawType), not tcx or netkit")
            }
            return LinkInfo(type: type, id: info.get32(LinkInfoLayout.id),
                            programID: info.get32(LinkInfoLayout.progID),
                            ifindex: info.get32(LinkInfoLayout.ifindex),
                            attachType: AttachType(rawValue: info.get32(LinkInfoLayout.attachType)))
        }
    }

    public func kind(of handle: Handle) throws(TCXError) -> ObjectKind {
        try world.run { _ throws(TCXError) in
            guard let kind = try FDInfo(Int32(bitPattern: handle.rawValue)).kind else {
                throw TCXError(.EINVAL, "\(handle) is not a BPF program, link or map")
            }
            return kind
        }
    }

    public func program(byID id: UInt32) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in state.adopt(try ObjectInfo.open(.progGetFDByID, id: id)) }
    }

    public func link(byID id: UInt32) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in state.adopt(try ObjectInfo.open(.linkGetFDByID, id: id)) }
    }

    // MARK: Running programs

    public func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32) throws(TCXError) -> TestRunResult {
        try world.run { _ throws(TCXError) in try TestRun.run(program, packet: packet, repeat: count) }
    }

    public func run(_ target: HookTarget, packet: [UInt8]) throws(TCXError) -> RunResult {
        throw TCXError(.EOPNOTSUPP, "run \(target): the kernel backend cannot observe the datapath chain")
    }

    /// A process whose fd 0, 1 or 2 is closed would hand those numbers to BPF objects, and fd 0
    /// means "none" in several bpf_attr fields; fill the gaps with /dev/null first.
    private static func ensureStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            _ = open("/dev/null", O_RDWR)
        }
    }
}
