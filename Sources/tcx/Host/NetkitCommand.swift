import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx netkit create NAME PEER [--mode l2|l3] [--policy pass|drop] [--peer-policy pass|drop]`
struct NetkitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netkit",
        abstract: "Netkit pairs, whose programs are attached through the primary (`tcx attach NAME primary|peer`).",
        subcommands: [NetkitCreate.self])
}

extension NetkitMode: ExpressibleByArgument {}
extension NetkitPolicy: ExpressibleByArgument {}

struct NetkitCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a netkit pair in the scope's namespace (EOPNOTSUPP where the kernel has no netkit).",
        discussion: "Both ends stay after the command; `ip link del NAME` removes them.")

    @Argument(help: "The primary device's name.") var name: String
    @Argument(help: "The peer's name.") var peer: String
    @Option(help: "l3 (default) or l2.") var mode: NetkitMode = .l3
    @Option(help: "What the primary does with no program: pass (default) or drop.") var policy: NetkitPolicy = .pass
    @Option(name: .customLong("peer-policy"), help: "The same for the peer.") var peerPolicy: NetkitPolicy = .pass
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let (primaryIndex, peerIndex): (UInt32, UInt32)
        do {
            (primaryIndex, peerIndex) = try world.createNetkit(
                NetkitSpec(name: name, peer: peer, mode: mode, policy: policy, peerPolicy: peerPolicy))
        } catch {
            throw CommandFailure("netkit \(name) \(peer): \(error)")
        }
        if scope.json {
            print(try JSONOutput.text(["primary": "\(name)", "primary_ifindex": "\(primaryIndex)",
                                       "peer": peer, "peer_ifindex": "\(peerIndex)"]))
        } else {
            print("created netkit \(name)(\(primaryIndex)) with peer \(peer)(\(peerIndex))")
        }
    }
}
