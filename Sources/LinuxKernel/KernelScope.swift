import BPFCore
import CBPFSys
import Glibc
import TCX

/// Where a kernel world lives: which network namespace its devices and hooks are in, and
/// which bpffs holds its pins.
public enum KernelScope: Hashable, Sendable, CustomStringConvertible {
    /// A network namespace and a bpffs made for this world alone, both removed at shutdown.
    case sandbox
    /// The calling process's network namespace and a bpffs directory of the machine
    /// (`/sys/fs/bpf` by default). Nothing is created or deleted unless asked for.
    case host(bpffs: String = KernelScope.defaultBPFFS)
    /// An existing network namespace: an `ip netns` name (under `/run/netns`) or a path such
    /// as `/proc/PID/ns/net`. Only the network namespace changes: pins stay in `bpffs`.
    case namespace(String, bpffs: String = KernelScope.defaultBPFFS)

    public static let defaultBPFFS = "/sys/fs/bpf"
    /// Where `ip netns add NAME` puts its namespaces.
    public static let namedNamespaceDirectory = "/run/netns"

    public var description: String {
        switch self {
        case .sandbox: "sandbox"
        case .host(let bpffs): "host (pins in \(bpffs))"
        case .namespace(let name, let bpffs): "network namespace \(name) (pins in \(bpffs))"
        }
    }

    /// The file that names the namespace: a bare name is an `ip netns` name.
    static func namespacePath(_ name: String) -> String {
        name.contains("/") ? name : "\(namedNamespaceDirectory)/\(name)"
    }

    /// Moves the calling thread (a world's own thread) into the scope's network namespace.
    func enterNetworkNamespace() throws(TCXError) {
        switch self {
        case .host:
            return
        case .sandbox:
            guard cbpfsys_unshare_net() == 0 else {
                throw TCXError(LinuxErrno(rawValue: errno),
                               "unshare(CLONE_NEWNET): a sandbox world needs CAP_SYS_ADMIN (run as root)")
            }
        case .namespace(let name, _):
            let path = Self.namespacePath(name)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let code = LinuxErrno(rawValue: errno)
                let hint = code == .ENOENT ? " (no such network namespace; `ip netns list` shows the named ones)" : ""
                throw TCXError(code, "network namespace '\(name)': cannot open \(path): \(BPFSyscall.describe(code))\(hint)")
            }
            defer { Glibc.close(fd) }
            guard cbpfsys_setns_net(fd) == 0 else {
                let code = LinuxErrno(rawValue: errno)
                let why = code == .EPERM ? "entering a network namespace needs CAP_SYS_ADMIN"
                    : code == .EINVAL ? "\(path) is not a network namespace" : BPFSyscall.describe(code)
                throw TCXError(code, "network namespace '\(name)': setns failed: \(why)")
            }
        }
    }

    /// The bpffs directory the world pins in; nil for a sandbox, which mounts its own.
    var bpffsDirectory: String? {
        switch self {
        case .sandbox: nil
        case .host(let bpffs), .namespace(_, let bpffs): bpffs
        }
    }
}
