import Glibc

/// Runs command-line tools (tc, ip, ping) inside a world's network namespace through nsenter.
/// posix_spawn, not Foundation's Process: that one wants a loopback socket pair.
enum NamespaceTools {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Outcome {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// The path of an executable in the usual places, nil when it is not installed.
    static func path(of tool: String) -> String? {
        ["/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"].map { $0 + tool }.first { access($0, X_OK) == 0 }
    }

    static func have(_ tools: String...) -> Bool { tools.allSatisfy { path(of: $0) != nil } }

    /// Runs `argv` and returns its exit status and what it wrote to stdout and stderr together.
    static func run(_ argv: [String]) throws -> Outcome {
        guard let executable = argv.first.flatMap(path(of:)) else {
            throw Failure(description: "\(argv.first ?? "nothing") is not installed")
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        var pointers: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, &pointers, environ)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { throw Failure(description: "posix_spawn \(executable): errno \(spawned)") }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += chunk[0..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED: low 7 bits 0; WEXITSTATUS in the next byte. A signal counts as failure.
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, output: String(decoding: output, as: UTF8.self))
    }

    /// Runs `tool ARGS…` in the namespace at `namespacePath` (`/proc/…/ns/net`).
    static func run(in namespacePath: String, _ tool: String, _ arguments: [String]) throws -> Outcome {
        try run(["nsenter", "--net=\(namespacePath)", tool] + arguments)
    }

    /// Like `run(in:)`, but a failure throws with the tool's output.
    @discardableResult
    static func require(in namespacePath: String, _ tool: String, _ arguments: [String]) throws -> String {
        try require(["nsenter", "--net=\(namespacePath)", tool] + arguments)
    }

    /// Like `run(_:)`, but a failure throws with the tool's output.
    @discardableResult
    static func require(_ argv: [String]) throws -> String {
        let outcome = try run(argv)
        guard outcome.succeeded else {
            throw Failure(description: "\(argv.joined(separator: " ")) exited \(outcome.status): \(outcome.output)")
        }
        return outcome.output
    }
}
