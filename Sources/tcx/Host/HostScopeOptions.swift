import ArgumentParser
import LinuxKernel
import SwiftTCX

/// Where the host commands act: the calling process's network namespace (the default) or a
/// named one, with pins in a bpffs directory of the machine. Only the network namespace
/// changes with --netns: /sys and the bpffs stay the host's (`ip netns exec` remounts /sys).
struct HostScopeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A network namespace: an `ip netns` name or a path such as /proc/PID/ns/net.",
                               valueName: "name|path"))
    var netns: String?

    @Option(help: ArgumentHelp("The bpffs directory pin paths are relative to (absolute ones must lie below it).",
                               valueName: "dir"))
    var bpffs: String = KernelScope.defaultBPFFS

    @Flag(help: "Print JSON.")
    var json = false

    var scope: KernelScope {
        netns.map { .namespace($0, bpffs: bpffs) } ?? .host(bpffs: bpffs)
    }

    /// A kernel world in the scope. Closing it (shutdown) closes only what the command opened.
    func openWorld() throws -> KernelSystem {
        do {
            return try KernelSystem(scope: scope)
        } catch {
            throw CommandFailure("cannot open the \(scope): \(error)")
        }
    }
}

/// A device named by its name or its ifindex.
struct DeviceArgument: ExpressibleByArgument {
    var text: String
    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        text = argument
    }
}

/// A hook by the script's word for it: ingress and egress are tcx's (or classic tc's clsact
/// sides), primary and peer a netkit primary's.
extension AttachType: ExpressibleByArgument {
    public init?(argument: String) { self.init(hookName: argument) }
}

extension AttachMode: ExpressibleByArgument {}

extension KernelSystem {
    /// DEV HOOK as a target; a device that does not exist is named in the error.
    func target(_ device: DeviceArgument, _ hook: AttachType) throws -> HookTarget {
        do {
            return try self.hook(device.text, hook)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension KernelSystem {
    /// A pin path for a new pin, its directories made below the bpffs root as bpftool makes them.
    func newPinPath(_ text: String) throws(TCXError) -> PinPath {
        let path = try PinPath(text)
        try makeParentDirectories(of: path)
        return path
    }
}
