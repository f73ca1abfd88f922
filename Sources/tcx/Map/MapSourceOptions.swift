import ArgumentParser
import LinuxKernel
import SwiftTCX
import TCXScript

/// Where the map commands find their map. Maps live in a world, so the world is built for
/// the command (by a script, or by loading one object) and goes when it ends; or the map is
/// a real pin on the host (opened read-only unless the command writes).
struct MapSourceOptions: ParsableArguments {
    @Argument(help: "The map's name in its object (counters, globals.data …), or OBJECT:NAME when several objects have one. Not with --pinned.")
    var map: String?

    @Option(help: "A tcx script to run in a fresh world first; the map is one of the objects it loaded.")
    var script: String?

    @Option(help: "A BPF object file whose maps are created (global data filled) in a fresh world.")
    var object: String?

    @Option(help: "A map pinned in the host's bpffs, e.g. /sys/fs/bpf/NAME (kernel only, needs root).")
    var pinned: String?

    @Option(help: "embedded (default) or kernel, for the world of --script or --object.")
    var backend: Backend?

    @Flag(help: "Print JSON, as bpftool -j does.")
    var json = false

    func validate() throws {
        let sources = [script, object, pinned].compactMap { $0 }.count
        guard sources == 1 else { throw ValidationError("Give exactly one of --script, --object or --pinned.") }
        if pinned != nil {
            guard map == nil else { throw ValidationError("--pinned names the map itself: give no MAP name.") }
            guard backend != .embedded else {
                throw ValidationError("--pinned reads the host kernel's bpffs: it has no embedded form.")
            }
        } else if map == nil {
            throw ValidationError("Missing the MAP name (with --script or --object).")
        }
    }

    /// Calls `body` with the map, then releases the world built for it.
    func withMap<T>(writable: Bool = false, _ body: (any MapAccess) throws -> T) throws -> T {
        if let pinned {
            do {
                return try body(try HostPinnedMap(path: pinned, writable: writable))
            } catch let error as TCXError {
                throw CommandFailure("pinned map '\(pinned)': \(error)")
            }
        }
        let backend = backend ?? .embedded
        let world: any TCXSystem
        do {
            world = try backend.openWorld()
        } catch {
            throw CommandFailure("cannot open a \(backend.rawValue) world: \(error)")
        }
        defer { world.shutdown() }
        guard let system = world as? any BPFObjectSystem else {
            throw CommandFailure("the \(backend.rawValue) backend has no maps")
        }
        // The handles stay open until the world shuts down.
        // validate() made sure of both; the guards keep a later change from trapping.
        guard let map, let source = script ?? object else { throw CommandFailure("give a MAP name and --script or --object") }
        let maps: [(object: String, name: String, handle: Handle)]
        if let script {
            maps = try run(script: script, in: world).loadedMaps
        } else {
            let loaded = try load(object: source, into: system)
            maps = zip(loaded.spec.maps, loaded.maps).map { (loaded.spec.name, $0.name, $1) }
        }
        let handle = try Self.resolve(map, in: maps)
        do {
            return try body(try WorldMap(system: system, handle: handle))
        } catch let error as TCXError {
            throw CommandFailure("map '\(map)': \(error)")
        }
    }

    /// Runs the script; failed lines are reported on stderr and the world is used anyway.
    private func run(script path: String, in world: any TCXSystem) throws -> ScriptRunner {
        let source: String
        do { source = try ScriptFile.text(path) } catch { throw CommandFailure(error.description) }
        let lines: [ScriptLine]
        do {
            lines = try ScriptParser.parse(source, file: path)
        } catch {
            throw CommandFailure("\(error)")
        }
        let runner = ScriptRunner(system: world, directory: ScriptFile.directory(of: path))
        // A refusal the script did not expect is worth knowing about: the map may not be what it meant.
        for result in runner.run(lines)
        where !result.matches || (result.line.expected == nil && result.result.hasPrefix("error")) {
            printError("\(path):\(result.line.number): \(result.printed)" + (result.reason.map { " (\($0))" } ?? ""))
        }
        return runner
    }

    private func load(object path: String, into system: any BPFObjectSystem) throws -> LoadedObject {
        let bytes = try FileBytes.read(path, .object)
        do {
            return try LoadedObject(bytes: bytes, name: path, system: system)
        } catch {
            throw CommandFailure("\(path): cannot load the object: \(error)")
        }
    }

    /// `NAME` or `OBJECT:NAME` among the loaded maps; ambiguity and absence name the choices.
    static func resolve(_ wanted: String, in maps: [(object: String, name: String, handle: Handle)]) throws -> Handle {
        let known = maps.map { "\($0.object):\($0.name)" }
        var matches = maps.filter { $0.name == wanted }
        if matches.isEmpty, let colon = wanted.firstIndex(of: ":") {
            let object = wanted[..<colon], name = wanted[wanted.index(after: colon)...]
            matches = maps.filter { $0.object == object && $0.name == name }
        }
        guard !matches.isEmpty else {
            let choices = known.isEmpty ? "no object was loaded" : "there are: " + known.joined(separator: ", ")
            throw CommandFailure("no map '\(wanted)' (\(choices))")
        }
        guard matches.count == 1 else {
            let choices = matches.map { "\($0.object):\($0.name)" }.joined(separator: ", ")
            throw CommandFailure("map '\(wanted)' is ambiguous: \(choices)")
        }
        return matches[0].handle
    }
}
