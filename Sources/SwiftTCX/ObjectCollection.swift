import BPFObject
import TCX
import TCXScript

/// A clang-compiled object file loaded into a world as libbpf loads one: its maps (global
/// data filled, `.rodata` frozen) are created once and shared by every program loaded from
/// it. Works the same on every backend and scope, so a test written against the embedded
/// engine runs unchanged on a host. Owns its map descriptors; programs loaded from it and
/// maps opened from it are values of their own.
public struct ObjectCollection: ~Copyable {
    public let world: any BPFObjectSystem
    /// The parsed object: program names and sections, map definitions.
    public var spec: ObjectSpec { loaded.spec }
    private let loaded: LoadedObject

    /// Parses `bytes` and creates the object's maps. `name` is the file's name (libbpf names
    /// global-data maps after it). Nothing stays created when it fails.
    public init(bytes: [UInt8], name: String, in world: any BPFObjectSystem) throws(TCXError) {
        self.world = world
        loaded = try LoadedObject(bytes: bytes, name: name, system: world)
    }

    /// Reads and loads an object file.
    public init(file path: String, in world: any BPFObjectSystem) throws(TCXError) {
        let bytes = try BoundedFile.read(path, limit: BoundedFile.objectLimit, what: "object file")
        let base = path.split(separator: "/").last.map(String.init) ?? path
        try self.init(bytes: bytes, name: base, in: world)
    }

    deinit { loaded.close() }

    /// Every program: (function name, section).
    public var programs: [(name: String, section: String)] { spec.programs.map { ($0.name, $0.section) } }

    /// Every map by the name it has in the kernel (global data: `obj.data`, `.bss`, …).
    public var mapNames: [String] { spec.maps.map(\.name) }

    /// Loads the program called `name` (a function name, else the first program of that
    /// section). ENOENT lists what the object has.
    public func program(_ name: String) throws(TCXError) -> Program {
        let programName = spec.program(named: name)?.name ?? name
        return Program(adopting: try loaded.loadProgram(name, as: programName), in: world)
    }

    /// A descriptor of its own to one of the object's maps: by its kernel name, or for global
    /// data by section (`.data`, `.bss`, `.rodata`).
    public func map(_ name: String) throws(TCXError) -> Map {
        let index = spec.maps.firstIndex { $0.name == name }
            ?? spec.maps.firstIndex { $0.name.hasSuffix(name) && name.hasPrefix(".") }
        guard let index else {
            throw TCXError(.ENOENT, "\(spec.name) has no map '\(name)' (it has: \(mapNames.joined(separator: ", ")))")
        }
        return Map(adopting: try world.duplicate(loaded.maps[index]), in: world)
    }

    /// The bytes of a global-data section (`.data`, `.bss`, `.rodata`) as programs left them.
    public func globalData(_ section: String) throws(TCXError) -> [UInt8] {
        let map = try map(section)
        return try map.lookup([0, 0, 0, 0]) ?? []
    }
}
