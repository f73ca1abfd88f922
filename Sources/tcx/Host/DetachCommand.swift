import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx detach DEV HOOK REF [--mode M] [--revision N] [--explain]`
struct DetachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Detach a program or a link from a device's hook.",
        discussion: """
            A program (prog:ID, name:NAME, pinned:PATH of a program) leaves the hook where it is \
            attached in prog mode or as a cls_bpf filter (--mode auto, the default, looks at both). \
            A link (link:ID or pinned:PATH of a link) is detached with BPF_LINK_DETACH: the program \
            leaves the hook, the link stays open but defunct until its last holder closes it. \
            A program attached through a link is detached through the link (EBUSY otherwise).
            """)

    @Argument(help: "The device, by name or ifindex.") var device: DeviceArgument
    @Argument(help: "ingress, egress, primary or peer.") var hook: AttachType
    @Argument(help: ArgumentHelp("What to detach: \(ObjectReference.grammar).", valueName: "ref"), transform: ObjectReference.parse)
    var reference: ObjectReference

    @Option(help: "tcx, tc, or auto (the default: wherever the program is).") var mode: AttachMode = .auto
    @Option(parsing: .unconditional, help: ArgumentHelp("Only if the hook is still at this revision (tcx prog mode).", valueName: "n"))
    var revision: UInt64 = 0
    @Flag(help: "On a refusal, replay it on a copy of the hook and say which rule refused it.") var explain = false
    @OptionGroup var scope: HostScopeOptions

    struct Report: Encodable {
        var device: String
        var hook: String
        var programId: UInt32
        var linkId: UInt32?
        var removed: [String]
    }

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let target = try world.target(device, hook)
        let report: Report
        switch try world.open(reference, on: target) {
        case .link(let link):
            let info = try link.info
            guard info.ifindex == 0 || (info.ifindex == target.ifindex && info.attachType == target.attachType) else {
                throw CommandFailure("\(reference) is link \(info.id) on ifindex \(info.ifindex) \(info.attachType.hookName), "
                                     + "not on \(device.text) \(hook.hookName)")
            }
            do {
                try link.detach()
            } catch {
                throw CommandFailure("detach link \(info.id): \(error)")
            }
            report = Report(device: device.text, hook: hook.hookName, programId: info.programID, linkId: info.id,
                            removed: ["tcx link \(info.id)"])
        case .program(let program):
            let id = try program.id
            let removed: [AttachPlacement]
            do throws(TCXError) {
                if revision != 0 {
                    guard mode != .tc else { throw TCXError(.EOPNOTSUPP, "classic tc has no revisions: --revision needs tcx") }
                    try program.detach(from: target, expectedRevision: revision)
                    removed = [.tcx]
                } else {
                    removed = try program.detach(from: target, mode: mode)
                }
            } catch {
                let raw = RawDetach(program: program.handle.rawValue, target: target, expectedRevision: revision)
                throw RefusalReport.failure("detach prog \(id) from \(device.text) \(hook.hookName)", error,
                                            explain: explain && mode != .tc) {
                    world.explainRefusal(of: raw, error: error)
                }
            }
            report = Report(device: device.text, hook: hook.hookName, programId: id, linkId: nil,
                            removed: removed.map(\.description))
        }
        if scope.json {
            print(try JSONOutput.text(report))
        } else {
            let what = report.linkId.map { "link \($0) (prog \(report.programId))" } ?? "prog \(report.programId)"
            print("detached \(what) from \(device.text) \(hook.hookName): \(report.removed.joined(separator: ", "))")
        }
    }
}
