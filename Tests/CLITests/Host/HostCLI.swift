import Foundation
import KernelTestHarness
import LinuxKernel
import SwiftTCX
import Testing

/// The built `tcx` binary run against an isolated host's named namespace and bpffs, with a veth
/// pair (`va`, `vb`) of its own: never the machine's devices or pins.
struct HostCLI {
    let host: IsolatedHost

    static let counter = CLI.fixture("host/counter.o")

    /// Makes the pair, both ends up, in the host's namespace.
    init(_ host: IsolatedHost) throws {
        self.host = host
        try require(["ip", "-n", host.namespace, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        try require(["ip", "-n", host.namespace, "link", "set", "va", "up"])
        try require(["ip", "-n", host.namespace, "link", "set", "vb", "up"])
    }

    /// `tcx ARGS --netns NS --bpffs DIR` (`net show` reads no pins: no --bpffs).
    func tcx(_ arguments: [String]) throws -> IsolatedHost.Outcome {
        let pins = arguments.first == "net" ? [] : ["--bpffs", host.bpffs]
        return try host.spawn([CLI.binary] + arguments + ["--netns", host.namespace] + pins)
    }

    /// The same, which must succeed; its stdout parsed as JSON.
    func json(_ arguments: [String]) throws -> Any {
        let outcome = try tcx(arguments + ["--json"])
        guard outcome.status == 0 else {
            throw IsolatedHost.Failure("tcx \(arguments.joined(separator: " ")) failed: \(outcome.errors)")
        }
        return try JSONSerialization.jsonObject(with: Data(outcome.output.utf8))
    }

    func object(_ arguments: [String]) throws -> [String: Any] {
        guard let object = try json(arguments) as? [String: Any] else { throw IsolatedHost.Failure("not a JSON object") }
        return object
    }

    func require(_ argv: [String]) throws {
        let outcome = try host.spawn(argv)
        guard outcome.status == 0 else { throw IsolatedHost.Failure("\(argv.joined(separator: " ")): \(outcome.errors)") }
    }

    /// A kernel world in the same scope as the commands, for the test's own view and changes.
    func world() throws -> KernelSystem {
        try KernelSystem(scope: .namespace(host.namespace, bpffs: host.bpffs))
    }

    /// The hook as the kernel reports it now.
    func state(_ device: String, _ attachType: AttachType) throws -> HookState {
        let world = try world()
        defer { world.shutdown() }
        return try world.state(of: world.hook(device, attachType))
    }

    /// Polls the hook until `done` holds (a killed process's descriptors close asynchronously).
    func await(_ device: String, _ attachType: AttachType, seconds: Double = 10,
               until done: (HookState) -> Bool) throws -> HookState {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let current = try state(device, attachType)
            if done(current) || Date() > deadline { return current }
            usleep(50_000)
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func number(_ key: String) -> UInt64? { (self[key] as? NSNumber)?.uint64Value }
    func text(_ key: String) -> String? { self[key] as? String }
}
