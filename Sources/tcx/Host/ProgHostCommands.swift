import ArgumentParser
import LinuxKernel
import SwiftTCX

/// `tcx prog list [--json]`: every program the kernel holds, as `bpftool prog show` lists them.
struct ProgList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every BPF program loaded on this machine, of any type and owner.")

    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let all = try world.allProgramIDs().compactMap { id throws(TCXError) in try world.programDetails(id: id) }
        try ProgPrinting.print(all, json: scope.json)
    }
}

/// `tcx prog show REF`
struct ProgShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One loaded program.")

    @Argument(help: ArgumentHelp("prog:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        switch try world.open(reference, on: nil) {
        case .program(let program): try ProgPrinting.print([world.programDetails(program.handle)], json: scope.json)
        case .link: throw CommandFailure("\(reference) is a link: `tcx link show` shows it")
        }
    }
}

/// `tcx prog load OBJECT PROGRAM PATH`: bpftool's `prog load`, one program pinned.
struct ProgLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load one program of an object and pin it (the pin keeps it loaded after the command).",
        discussion: "Then `tcx attach … --before pinned:PATH`, `tcx link update … --expect pinned:PATH` can name it.")

    @Argument(help: "A clang-compiled BPF object file.") var object: String
    @Argument(help: "The program: its function name or section.") var program: String
    @Argument(help: "The pin path (below --bpffs).") var path: String
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        let collection = try CommandObjects.open(object, in: world)
        let loaded = try CommandObjects.program(program, of: collection, file: object)
        do {
            try loaded.pin(at: world.newPinPath(path))
        } catch {
            throw CommandFailure("pin '\(program)' at '\(path)': \(error)")
        }
        try ProgPrinting.print([world.programDetails(loaded.handle)], json: scope.json)
    }
}

/// `tcx prog pin REF PATH`
struct ProgPin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pin", abstract: "Pin a loaded program.")

    @Argument(help: ArgumentHelp("prog:ID or pinned:PATH.", valueName: "ref"), transform: ObjectReference.parse) var reference: ObjectReference
    @Argument(help: "The pin path (below --bpffs).") var path: String
    @OptionGroup var scope: HostScopeOptions

    func run() throws {
        let world = try scope.openWorld()
        defer { world.shutdown() }
        switch try world.open(reference, on: nil) {
        case .program(let program):
            do {
                try program.pin(at: world.newPinPath(path))
            } catch {
                throw CommandFailure("pin \(reference) at '\(path)': \(error)")
            }
            let id = try program.id
            print(scope.json ? try JSONOutput.text(["prog_id": "\(id)", "pinned": path]) : "pinned prog \(id) at \(path)")
        case .link:
            throw CommandFailure("\(reference) is a link: `tcx link pin` pins it")
        }
    }
}

enum ProgPrinting {
    static func print(_ all: [ProgramDetails], json: Bool) throws {
        if json {
            Swift.print(try JSONOutput.text(all.map(InventoryText.ProgramJSON.init)))
        } else {
            for details in all { Swift.print(InventoryText.program(details)) }
        }
    }
}
