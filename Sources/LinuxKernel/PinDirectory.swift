import BPFCore
import CBPFSys
import Glibc
import SystemPackage
import TCX

/// A world's pin namespace: a bpffs instance mounted on a fresh temporary directory.
/// Each bpffs mount is its own superblock, so pins of one world are invisible to others.
struct PinDirectory: Sendable {
    let root: FilePath

    /// Creates the directory and mounts bpffs on it.
    static func mount() throws(TCXError) -> PinDirectory {
        var template = Array("/tmp/swift-tcx-bpffs-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw TCXError(LinuxErrno(rawValue: errno), "mkdtemp for the pin directory failed") }
        let path = FilePath(platformString: template)
        let mounted = path.withPlatformString { cbpfsys_mount_bpffs($0) }
        guard mounted == 0 else {
            let code = errno
            _ = path.withPlatformString { rmdir($0) }
            throw TCXError(LinuxErrno(rawValue: code), "mount -t bpf on \(path) failed")
        }
        return PinDirectory(root: path)
    }

    /// The file a pin path names, below the root.
    func file(_ path: PinPath) -> FilePath {
        path.components.reduce(root) { $0.appending($1) }
    }

    /// Every pin file below the root (directories are walked, not returned).
    func allPins() -> [FilePath] {
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

    /// Unmounts (dropping every pin's reference) and removes the directory.
    func unmount() {
        root.withPlatformString { path in
            if cbpfsys_umount(path, 0) != 0 { _ = cbpfsys_umount(path, 1) }
            _ = rmdir(path)
        }
    }
}
