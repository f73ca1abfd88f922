import ArgumentParser

struct TCXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcx",
        abstract: "Multi-program BPF attach (bpf_mprog, tcx, netkit) on an embedded engine or the Linux kernel.",
        subcommands: [RunScript.self, AttachCommand.self, DetachCommand.self, LinkCommand.self, NetkitCommand.self, FeaturesCommand.self, DifferentialCommand.self,
                      ConformancePluginCommand.self, DisasmCommand.self, BenchCommand.self, ReplayCommand.self, NetCommand.self,
                      ProgCommand.self, MapCommand.self])
}
