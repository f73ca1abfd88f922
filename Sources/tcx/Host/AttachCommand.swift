import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx attach DEV HOOK OBJECT PROGRAM [placement] [--link (--pin PATH | --hold)] [--revision N] [--mode M]`
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Load a program of an object and attach it to a device's hook on this machine.",
        discussion: """
            Without --link the attachment is prog mode: it stays after the command exits, until \
            `tcx detach`, as bpftool's does. With --link the attachment is owned by a link, which \
            lives only while a descriptor or a pin holds it; the command exits, so --link needs \
            --pin PATH (the link stays until the pin is removed or `tcx link detach`) or --hold \
            (the command keeps the link until SIGINT or SIGTERM; killed, its link goes with it). \
            --mode tc attaches a direct-action cls_bpf filter on a clsact qdisc instead (what \
            kernels before 6.6 have): head and tail become priorities; before, after, revisions \
            and links need tcx. auto uses tcx where the kernel has it.
            """)

    @Argument(help: "The device, by name or ifindex.") var device: DeviceArgument
    @Argument(help: "ingress, egress (tcx or tc), or a netkit primary's primary or peer.") var hook: AttachType
    @Argument(help: "A clang-compiled BPF object file.") var object: String
    @Argument(help: "The program: its function name or section.") var program: String

    @Flag(help: "First in the chain.") var head = false
    @Flag(help: "Last in the chain (the default).") var tail = false
    @Option(help: ArgumentHelp("Directly before this program or link (\(ObjectReference.grammar)).", valueName: "ref"), transform: ObjectReference.parse)
    var before: ObjectReference?
    @Option(help: ArgumentHelp("Directly after this program or link.", valueName: "ref"), transform: ObjectReference.parse)
    var after: ObjectReference?

    @Flag(help: "Attach through a BPF link (needs --pin or --hold).") var link = false
    @Option(help: ArgumentHelp("Pin the link at this path (below --bpffs).", valueName: "path")) var pin: String?
    @Flag(help: "Keep the link until SIGINT/SIGTERM, then release it.") var hold = false
    @Option(name: .customLong("pin-maps"),
            help: ArgumentHelp("Pin every map of the object in this directory (made if missing), as bpftool's pinmaps.",
                               valueName: "dir"))
    var pinMaps: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Make the change only if the hook is still at this revision (ESTALE otherwise).",
                               valueName: "n"))
    var revision: UInt64 = 0
    @Option(help: "tcx (default), tc, or auto.") var mode: AttachMode = .tcx
    @Flag(help: "On a refusal, replay it on a copy of the hook and say which rule refused it.") var explain = false
    @OptionGroup var scope: HostScopeOptions

    func validate() throws {
        let placements = [head, tail, before != nil, after != nil].filter { $0 }.count
        guard placements <= 1 else { throw ValidationError("Give at most one of --head, --tail, --before and --after.") }
        if link {
            guard pin != nil || hold else {
                throw ValidationError("""
                    --link needs --pin PATH or --hold: a link lives only while a descriptor or a pin holds it, \
                    and this command exits, which would detach the program at once. Pin it, hold it, or leave out \
                    --link to attach in prog mode (which stays until `tcx detach`).
                    """)
            }
            guard pin == nil || !hold else { throw ValidationError("Give --pin or --hold, not both.") }
        } else {
            guard pin == nil else { throw ValidationError("--pin pins a link: add --link (prog mode has nothing to pin).") }
            guard !hold else { throw ValidationError("--hold keeps a link: add --link.") }
        }
    }

    func run() throws {
        if hold { HeldLink.blockSignals() }
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let target = try world.target(device, hook)
        let collection = try CommandObjects.open(object, in: world)
        let loaded = try CommandObjects.program(program, of: collection, file: object)
        // A failure from here on leaves no map pins behind.
        var mapPins: MapPinning?
        if let pinMaps { mapPins = try MapPinning.pinAll(of: collection, in: pinMaps, world: world) }
        var succeeded = false
        defer { if !succeeded { mapPins?.undo() } }
        var anchorHandles: [Handle] = []
        defer { for handle in anchorHandles { try? world.close(handle) } }
        let anchor = try self.anchor(in: world, on: target, keeping: &anchorHandles)
        let info = try loaded.info
        var report = AttachReport(device: device.text, ifindex: target.ifindex, hook: hook.hookName,
                                  programId: info.id, programName: info.name)
        if link {
            let owned: Link
            do throws(TCXError) {
                owned = try loaded.link(to: target, at: anchor, mode: mode, expectedRevision: revision)
            } catch {
                let (flags, relative) = anchor.encoded
                let raw = RawLinkCreate(program: loaded.handle.rawValue, target: target, flags: flags.rawValue,
                                        relative: relative, expectedRevision: revision)
                throw RefusalReport.failure("link \(report.programName) to \(device.text) \(hook.hookName)", error,
                                            explain: explain) { world.explainRefusal(of: raw, error: error) }
            }
            report.mode = "tcx"
            report.linkId = try owned.info.id
            if let pin {
                do {
                    try owned.pin(at: world.newPinPath(pin))
                } catch {
                    throw CommandFailure("pin the link at '\(pin)': \(error) (the link is released, so the program left the hook)")
                }
                report.pinned = pin
            }
            try report.addPosition(world.state(of: target))
            succeeded = true
            try print(report.output(json: scope.json))
            if hold {
                _ = HeldLink.waitForSignal()
            }
            try owned.close()
        } else {
            let placement: AttachPlacement
            do throws(TCXError) {
                placement = try loaded.attach(to: target, at: anchor, mode: mode, expectedRevision: revision)
            } catch {
                let (flags, relative) = anchor.encoded
                let raw = RawAttach(program: loaded.handle.rawValue, target: target, flags: flags.rawValue,
                                    relative: relative, expectedRevision: revision)
                throw RefusalReport.failure("attach \(report.programName) to \(device.text) \(hook.hookName)", error,
                                            explain: explain && world.resolved(mode) == .tcx) {
                    world.explainRefusal(of: raw, error: error)
                }
            }
            report.mode = placement.mode.rawValue
            if case .tc(let priority, let handle) = placement {
                report.priority = priority
                report.handle = handle
            } else {
                try report.addPosition(world.state(of: target))
            }
            succeeded = true
            try print(report.output(json: scope.json))
        }
    }

    private func anchor(in world: KernelSystem, on target: HookTarget, keeping opened: inout [Handle]) throws -> Anchor {
        if head { return .head }
        if let before { return .before(try world.anchorObject(before, on: target, keeping: &opened)) }
        if let after { return .after(try world.anchorObject(after, on: target, keeping: &opened)) }
        return .tail
    }
}

/// What `tcx attach` did, printed as one line or one JSON object.
struct AttachReport: Encodable {
    var device: String
    var ifindex: UInt32
    var hook: String
    var programId: UInt32
    var programName: String
    var mode = "tcx"
    var linkId: UInt32?
    var pinned: String?
    /// tcx: the program's place in the chain and the hook's revision after the change.
    var position: Int?
    var count: Int?
    var revision: UInt64?
    /// tc: the filter's priority and handle.
    var priority: UInt16?
    var handle: UInt32?

    mutating func addPosition(_ state: HookState) {
        position = state.entries.firstIndex { $0.programID == programId && (linkId == nil || $0.linkID == linkId) }
        count = state.entries.count
        revision = state.revision
    }

    func output(json: Bool) throws -> String {
        if json { return try JSONOutput.text(self) }
        var text = "attached prog \(programId) '\(programName)' to \(device) \(hook)"
        if mode == "tc", let priority, let handle {
            text += ": tc, cls_bpf prio \(priority) handle \(handle)"
        } else {
            text += ": tcx"
            if let position, let count { text += ", position \(position) of \(count)" }
            if let revision { text += ", revision \(revision)" }
            if let linkId { text += ", link \(linkId)" + (pinned.map { " pinned at \($0)" } ?? " held") }
        }
        return text
    }
}
