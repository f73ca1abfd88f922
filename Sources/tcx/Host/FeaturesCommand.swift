import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx features`: what this kernel offers, found by trying each feature.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Probe the kernel for tcx, tcx links and netkit (by trying them, never by version number).",
        discussion: "The probes run in a throwaway network namespace: nothing of the machine's is touched. Needs root.")

    @Flag(help: "Print JSON.") var json = false

    struct Report: Encodable {
        var tcx: Bool
        var tcxLinks: Bool
        var netkit: Bool
        var attachModeAuto: String
    }

    func run() throws {
        let features = KernelSystem.hookFeatures
        let report = Report(tcx: features.tcx, tcxLinks: features.tcxLinks, netkit: features.netkit,
                            attachModeAuto: features.tcx ? "tcx" : "tc")
        if json {
            print(try JSONOutput.text(report))
        } else {
            print("tcx: \(features.tcx ? "yes" : "no")")
            print("tcx links: \(features.tcxLinks ? "yes" : "no")")
            print("netkit: \(features.netkit ? "yes" : "no")")
            print("--mode auto attaches with: \(report.attachModeAuto)")
        }
    }
}
