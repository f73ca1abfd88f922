import Dispatch
import Foundation
import Glibc

/// Runs work on a thread of its own that left for a fresh network namespace, so the host
/// view can be shown classic tc filters without touching the real machine. The namespace
/// goes when the thread ends.
enum PrivateNamespace {
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error> = .failure(CancellationError())
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `body` gets the namespace's path under /proc, for `nsenter --net=`.
    static func run<T>(_ body: @escaping @Sendable (String) throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.result = Result { () throws -> T in
                // Glibc's module does not export unshare(2); it is in libc all the same.
                guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else {
                    throw Failure(description: "no unshare in libc")
                }
                let unshare = unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
                let cloneNewNet: Int32 = 0x4000_0000  // CLONE_NEWNET, not exported either
                guard unshare(cloneNewNet) == 0 else { throw Failure(description: "unshare: errno \(errno)") }
                return try body("/proc/\(try threadSelf())/ns/net")
            }
            done.signal()
        }
        thread.start()
        done.wait()
        return try outcome.result.get()
    }

    /// This thread as another process names it: `PID/task/TID`.
    private static func threadSelf() throws -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { throw Failure(description: "readlink /proc/thread-self: errno \(errno)") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `tc ARGS…` inside the namespace at `path`. posix_spawn, not Foundation's Process:
    /// that one wants a loopback socket pair, which a fresh namespace (lo down) cannot give.
    static func tc(_ path: String, _ arguments: [String]) throws {
        let argv = ["nsenter", "--net=\(path)", "tc"] + arguments
        var pointers: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/nsenter", nil, nil, &pointers, environ)
        guard spawned == 0 else { throw Failure(description: "posix_spawn nsenter: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS: low 7 bits 0, exit code in the next byte.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Failure(description: "tc \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }

    static var haveTools: Bool {
        access("/usr/bin/nsenter", X_OK) == 0 && (access("/usr/sbin/tc", X_OK) == 0 || access("/usr/bin/tc", X_OK) == 0)
    }
}
