import BPFCore
import CBPFSys
import Glibc
import SystemPackage
import TCX

/// A world's pin namespace: a bpffs directory. A sandbox creates a bpffs instance of its own
/// (each is its own superblock, so pins of one world are invisible to others) mounted nowhere
/// and held by a descriptor of its root: no mount point or directory is ever on the machine, the pins are reached through `/proc/PID/fd/N`, and the bpffs with every
/// pin goes when the descriptor closes — at `release()` or when the process dies, however it
/// dies. A host or named-namespace world uses an existing bpffs directory of the machine and
/// never unmounts or removes anything there.
struct PinDirectory: Sendable {
    let root: FilePath
    /// The descriptor that holds a sandbox's detached bpffs (-1 for a machine directory).
    let holder: Int32
    /// True for a sandbox's own mount, which `release()` takes down.
    var isPrivateMount: Bool { holder >= 0 }
    /// Why pins cannot be made here (a machine directory that is no bpffs). Only pin
    /// operations fail with it: attaching and listing need no bpffs.
    let unavailable: TCXError?

    /// BPF_FS_MAGIC, what statfs(2) reports for a bpffs.
    static let bpffsMagic = 0xCAFE_4A11

    /// A bpffs of the world's own. With the mount API (Linux 5.2) it is created mounted
    /// nowhere, so nothing of it ever appears on the machine; otherwise it is mounted on a
    /// temporary directory and detached at once.
    static func mount() throws(TCXError) -> PinDirectory {
        let holder = cbpfsys_fsmount_bpffs()
        if holder >= 0 { return PinDirectory(root: FilePath("/proc/\(getpid())/fd/\(holder)"), holder: holder, unavailable: nil) }
        guard errno == ENOSYS else {
            throw TCXError(LinuxErrno(rawValue: errno), "creating a bpffs instance (fsopen/fsmount) failed")
        }
        return try mountAndDetach()
    }

    private static func mountAndDetach() throws(TCXError) -> PinDirectory {
        var template = Array("/tmp/swift-tcx-bpffs-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else { throw TCXError(LinuxErrno(rawValue: errno), "mkdtemp for the pin directory failed") }
        let path = FilePath(platformString: template)
        defer { _ = path.withPlatformString { rmdir($0) } }
        let mounted = path.withPlatformString { cbpfsys_mount_bpffs($0) }
        guard mounted == 0 else {
            throw TCXError(LinuxErrno(rawValue: errno), "mount -t bpf on \(path) failed")
        }
        let holder = path.withPlatformString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        let code = errno
        _ = path.withPlatformString { cbpfsys_umount($0, 1) }
        guard holder >= 0 else {
            throw TCXError(LinuxErrno(rawValue: code), "opening the bpffs mounted on \(path) failed")
        }
        return PinDirectory(root: FilePath("/proc/\(getpid())/fd/\(holder)"), holder: holder, unavailable: nil)
    }

    /// An existing directory, which must be on a bpffs for pins (BPF_OBJ_PIN works nowhere
    /// else); if it is not, the world still opens and only pin operations say why.
    static func existing(_ path: String) -> PinDirectory {
        PinDirectory(root: FilePath(path), holder: -1, unavailable: problem(with: path))
    }

    private static func problem(with path: String) -> TCXError? {
        let magic = cbpfsys_fs_magic(path)
        guard magic >= 0 else {
            let code = LinuxErrno(rawValue: errno)
            return TCXError(code, "bpffs directory '\(path)': \(BPFSyscall.describe(code))")
        }
        guard magic == bpffsMagic else {
            return TCXError(.EINVAL, "'\(path)' is not on a bpffs (mount one with `mount -t bpf bpf \(path)`)")
        }
        return nil
    }

    /// The file a pin path names, below the root. A sandbox reads an absolute path as one
    /// relative to its root (a leading `/` is dropped); a machine's bpffs reads it as written.
    func file(_ path: PinPath) throws(TCXError) -> FilePath {
        if let unavailable { throw unavailable }
        let parts = isPrivateMount ? path.components : try path.components(below: root.string)
        return parts.reduce(root) { $0.appending($1) }
    }

    /// Every pin file below the root (directories are walked, not returned).
    func allPins() -> [FilePath] {
        guard unavailable == nil else { return [] }
        var found: [FilePath] = []
        var pending = [root]
        while let directory = pending.popLast() {
            guard let stream = directory.withPlatformString({ opendir($0) }) else { continue }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = directory.appending(name)
                if Int32(entry.pointee.d_type) == Int32(DT_DIR) { pending.append(child) } else { found.append(child) }
            }
        }
        return found
    }

    /// A sandbox's bpffs goes with its last descriptor (dropping every pin's reference); a
    /// machine's bpffs is left exactly as it is.
    func release() {
        guard isPrivateMount else { return }
        _ = Glibc.close(holder)
    }
}
