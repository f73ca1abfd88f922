import BPFCore
import Glibc
import SystemPackage
import TCX

/// What a world owns, touched only on its thread: the rtnetlink socket of its namespace, its
/// pin directory, and the fds it handed out (only those may be closed or duplicated, so a
/// script can never close a descriptor of the process it runs in, and closing a world closes
/// exactly what it opened).
final class WorldState {
    let netlink: RouteNetlink
    let pins: PinDirectory
    /// The inode of the world's network namespace (what /proc/PID/ns/net links to).
    let namespaceInode: UInt64
    /// `/proc/PID/task/TID/ns/net` of the world's thread, for tools run with `nsenter --net=`.
    let namespacePath: String
    private(set) var handles: Set<Int32> = []
    /// Sockets `listen` opened; they live as long as the world.
    var sockets: [Int32] = []

    let scope: KernelScope

    /// Builds the world on its thread, which already sits in the scope's namespace. Only a
    /// sandbox changes anything here: it brings its fresh `lo` up and mounts its own bpffs.
    init(scope: KernelScope) throws(TCXError) {
        self.scope = scope
        var status = stat()
        guard stat("/proc/thread-self/ns/net", &status) == 0 else {
            throw TCXError(LinuxErrno(rawValue: errno), "stat /proc/thread-self/ns/net failed")
        }
        namespaceInode = UInt64(status.st_ino)
        // /proc/thread-self names this thread as other processes see it: PID/task/TID.
        var link = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &link, link.count - 1)
        guard count > 0 else { throw TCXError(LinuxErrno(rawValue: errno), "readlink /proc/thread-self failed") }
        namespacePath = "/proc/" + String(decoding: link[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/ns/net"
        netlink = try RouteNetlink()
        if let directory = scope.bpffsDirectory {
            pins = PinDirectory.existing(directory)
        } else {
            try Devices.bringUpLoopback(netlink)
            try Forwarding.enable()
            pins = try PinDirectory.mount()
        }
    }

    /// Records a new fd the kernel returned and makes it a handle.
    func adopt(_ fd: Int32) -> Handle {
        handles.insert(fd)
        return Handle(rawValue: UInt32(bitPattern: fd))
    }

    /// The fd of a handle this world handed out and has not closed; EBADF otherwise.
    func owned(_ handle: Handle, _ what: String) throws(TCXError) -> FileDescriptor {
        let fd = Int32(bitPattern: handle.rawValue)
        guard handles.contains(fd) else { throw TCXError(.EBADF, "\(what): \(handle) is not an open handle of this world") }
        return FileDescriptor(rawValue: fd)
    }

    func close(_ handle: Handle) throws(TCXError) {
        let fd = try owned(handle, "close")
        handles.remove(fd.rawValue)
        do {
            try fd.close()
        } catch let error as Errno {
            throw TCXError(LinuxErrno(rawValue: error.rawValue), "close(\(handle)): \(error)")
        } catch {
            throw TCXError(.EBADF, "close(\(handle)): \(error)")
        }
    }

    /// Closes every handle (links without another reference or a pin detach, as when a
    /// process exits) and, for a sandbox, unmounts its pin directory.
    func tearDown() {
        for fd in handles { try? FileDescriptor(rawValue: fd).close() }
        handles.removeAll()
        for fd in sockets { Glibc.close(fd) }
        sockets.removeAll()
        pins.release()
    }
}
