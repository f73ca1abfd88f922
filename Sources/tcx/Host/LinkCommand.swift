import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx link …`: the machine's BPF links, in the spirit of `bpftool link`.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "List, show, update, detach and pin BPF links on this machine.",
        subcommands: [LinkList.self, LinkShow.self, LinkUpdate.self, LinkDetach.self, LinkPin.self])
}

/// Prints links as bpftool does; device names are those of the scope's namespace.
enum LinkPrinting {
    static func print(_ summaries: [LinkSummary], in world: KernelSystem, json: Bool) throws {
        let names = Dictionary(try world.devices().map { ($0.ifindex, $0.name) }, uniquingKeysWith: { first, _ in first })
        if json {
            Swift.print(try JSONOutput.text(summaries.map { InventoryText.LinkJSON($0, deviceNames: names) }))
        } else {
            for summary in summaries { Swift.print(InventoryText.link(summary, deviceNames: names)) }
        }
    }

    /// A link's summary by reference (link:ID or pinned:PATH of a link).
    static func open(_ reference: ObjectReference, in world: KernelSystem) throws -> Link {
        switch try world.open(reference, on: nil) {
        case .link(let link): return link
        case .program: throw CommandFailure("\(reference) is a program, not a link")
        }
    }
}

/// `tcx link list [--netns N] [--json]`
struct LinkList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every BPF link the kernel holds, of any type and owner.")

    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let summaries = try world.allLinkIDs().compactMap { id throws(TCXError) in try world.linkSummary(id: id) }
        try LinkPrinting.print(summaries, in: world, json: scope.json)
    }
}

/// `tcx link show REF`
struct LinkShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One link.")

    @Argument(help: ArgumentHelp("link:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let id = try LinkPrinting.open(reference, in: world).info.id
        guard let summary = try world.linkSummary(id: id) else { throw CommandFailure("\(reference): the link went away") }
        try LinkPrinting.print([summary], in: world, json: scope.json)
    }
}

/// `tcx link update REF OBJECT PROGRAM [--expect REF] [--explain]`
struct LinkUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Make a link run another program, in the same place on its hook (BPF_LINK_UPDATE).",
        discussion: "With --expect, only if the link still runs that program (EPERM otherwise).")

    @Argument(help: ArgumentHelp("The link: link:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @Argument(help: "A clang-compiled BPF object file.") var object: String
    @Argument(help: "The new program: its function name or section.") var program: String
    @Option(help: ArgumentHelp("The program the link must still run (prog:ID or pinned:PATH).", valueName: "ref"), transform: ObjectReference.parse)
    var expect: ObjectReference?
    @Flag(help: "On a refusal, replay it on a copy of the hook and say which rule refused it.") var explain = false
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let link = try LinkPrinting.open(reference, in: world)
        let collection = try CommandObjects.open(object, in: world)
        let replacement = try CommandObjects.program(program, of: collection, file: object)
        // A raw handle, open until the explainer (which reads it) is done.
        var expected: Handle?
        defer { if let expected { try? world.close(expected) } }
        if let expect {
            switch try world.open(expect, on: nil) {
            case .program(let old): expected = old.relinquish()
            case .link: throw CommandFailure("--expect \(expect) is a link: it names the program the link runs")
            }
        }
        do throws(TCXError) {
            try world.update(link.handle, to: replacement.handle, expecting: expected)
        } catch {
            let raw = RawLinkUpdate(link: link.handle.rawValue, newProgram: replacement.handle.rawValue,
                                    flags: expected == nil ? 0 : bpfFReplace, oldProgram: expected?.rawValue ?? 0)
            throw RefusalReport.failure("update \(reference)", error, explain: explain) {
                world.explainRefusal(of: raw, error: error)
            }
        }
        let info = try link.info
        if scope.json {
            print(try JSONOutput.text(["link_id": info.id, "prog_id": info.programID]))
        } else {
            print("link \(info.id) now runs prog \(info.programID) '\(try replacement.info.name)'")
        }
    }
}

/// `tcx link detach REF`
struct LinkDetach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Detach a link's program from its hook (BPF_LINK_DETACH); the link stays, defunct, while held or pinned.")

    @Argument(help: ArgumentHelp("link:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let link = try LinkPrinting.open(reference, in: world)
        let info = try link.info
        do {
            try link.detach()
        } catch {
            throw CommandFailure("detach link \(info.id): \(error)")
        }
        print(scope.json ? try JSONOutput.text(["link_id": info.id, "prog_id": info.programID])
              : "detached link \(info.id) (prog \(info.programID))")
    }
}

/// `tcx link pin REF PATH`
struct LinkPin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Pin a link (one held by --hold, by id) so it outlives its holder.")

    @Argument(help: ArgumentHelp("link:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @Argument(help: "The pin path (below --bpffs).") var path: String
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let link = try LinkPrinting.open(reference, in: world)
        do {
            try link.pin(at: world.newPinPath(path))
        } catch {
            throw CommandFailure("pin \(reference) at '\(path)': \(error)")
        }
        let id = try link.info.id
        print(scope.json ? try JSONOutput.text(["link_id": "\(id)", "pinned": path]) : "pinned link \(id) at \(path)")
    }
}
