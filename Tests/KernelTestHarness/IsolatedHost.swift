import CBPFSys
import Dispatch
import Foundation
import Glibc

/// A small machine of its own for one test, so host-scope code can be tested as root without
/// touching the real one: a thread in a private mount namespace (every mount private), with a
/// tmpfs on /run/netns and on /run/swift-tcx-test, a named network namespace made there by
/// `ip netns add`, and a bpffs of its own. Processes spawned from the thread share all of it.
///
/// Nothing outlives the process, however it ends: every mount lives only in the private
/// mount namespace, which goes with the last thread in it, and with it the named network
/// namespace (its devices) and the bpffs (its pins and what they hold). Only the two empty
/// mount-point directories stay on the real file system.
public final class IsolatedHost: @unchecked Sendable {
    /// The named network namespace (`ip netns` name, resolvable only from this host).
    public let namespace: String
    /// A bpffs directory of this host's own.
    public let bpffs = "/run/swift-tcx-test/bpffs"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// What a spawned command did.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    private init(namespace: String) { self.namespace = namespace }

    /// Whether this machine can run such tests: root, and the `ip` tool.
    public static var isAvailable: Bool {
        geteuid() == 0 && (access("/usr/sbin/ip", X_OK) == 0 || access("/usr/bin/ip", X_OK) == 0)
    }

    /// Runs `body` on a thread inside a fresh isolated host, and removes the host afterwards.
    public static func run<T: Sendable>(_ body: @escaping @Sendable (IsolatedHost) throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { () throws -> T in
                let host = try IsolatedHost.make()
                defer { host.remove() }
                return try body(host)
            }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        return try box.result.get()
    }

    private static func make() throws -> IsolatedHost {
        for directory in ["/run/netns", "/run/swift-tcx-test"] {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else { throw Failure("mkdir \(directory): errno \(errno)") }
        }
        guard cbpfsys_unshare_mount() == 0 else { throw Failure("unshare(CLONE_NEWNS): errno \(errno)") }
        for directory in ["/run/netns", "/run/swift-tcx-test"] {
            guard cbpfsys_mount_tmpfs(directory) == 0 else { throw Failure("mount tmpfs on \(directory): errno \(errno)") }
        }
        let host = IsolatedHost(namespace: "tcx-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(host.bpffs, 0o755) == 0, cbpfsys_mount_bpffs(host.bpffs) == 0 else {
            throw Failure("mount bpffs on \(host.bpffs): errno \(errno)")
        }
        let made = try host.spawn(["ip", "netns", "add", host.namespace])
        guard made.status == 0 else { throw Failure("ip netns add: \(made.errors)") }
        _ = try host.spawn(["ip", "-n", host.namespace, "link", "set", "lo", "up"])
        return host
    }

    /// Moves the calling thread (the host's own) into the named namespace: what a process
    /// started in that namespace sees as its "host".
    public func enterNamespace() throws {
        let fd = open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("open /run/netns/\(namespace): errno \(errno)") }
        defer { close(fd) }
        guard cbpfsys_setns_net(fd) == 0 else { throw Failure("setns: errno \(errno)") }
    }

    /// Deletes the named namespace and unmounts the bpffs now (the mount namespace would
    /// take them with it anyway when the thread ends).
    private func remove() {
        _ = try? spawn(["ip", "netns", "delete", namespace])
        _ = cbpfsys_umount(bpffs, 1)
    }

    /// Runs a command from this host's thread (so it shares the private mounts) and waits.
    /// `PATH` lookup; output is captured through files on the host's own tmpfs.
    public func spawn(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let stdoutPath = "/run/swift-tcx-test/out-\(UInt32.random(in: 0...UInt32.max))"
        let stderrPath = stdoutPath + ".err"
        defer { unlink(stdoutPath); unlink(stderrPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try launch(arguments, environment: environment, actions: &actions)
        let status = Self.wait(pid)
        return Outcome(status: status, output: Self.contents(stdoutPath), errors: Self.contents(stderrPath))
    }

    /// Starts a command that keeps running (its output goes to /dev/null); the caller stops it.
    public func start(_ arguments: [String], environment: [String: String] = [:]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
        return try launch(arguments, environment: environment, actions: &actions)
    }

    /// waitpid: the exit status, or 128 + the signal that ended it.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private func launch(_ arguments: [String], environment: [String: String],
                        actions: inout posix_spawn_file_actions_t) throws -> pid_t {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let envStrings = merged.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, &envp)
        guard spawned == 0 else { throw Failure("posix_spawn \(arguments[0]): errno \(spawned)") }
        return pid
    }

    private static func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// Carries a thread's result back to the thread that waits for it.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error> = .failure(IsolatedHost.Failure("not run"))
}
