import ArgumentParser
import SwiftTCX

/// `tcx map …`: read and write maps, in the spirit of `bpftool map`.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Dump, look up and update maps of a world built by a script or an object, or a host pin.",
        discussion: """
            A map lives in a world. With --script the script runs in a fresh world of --backend and \
            MAP is a map of an object it loaded (`prog NAME load FILE SECTION`); with --object the \
            object's maps alone are created. The world goes when the command ends. With --pinned the \
            map is a real pin of the host's bpffs: update and delete change it for good.
            """,
        subcommands: [MapDump.self, MapLookup.self, MapUpdate.self, MapDelete.self])
}

/// `tcx map dump MAP (--script F | --object F) [--backend B] [--json]`, `tcx map dump --pinned PATH`
struct MapDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print every entry of the map, then `Found N elements`.")

    @OptionGroup var source: MapSourceOptions

    func run() throws {
        try source.withMap { map in try MapPrinting.dump(map, json: source.json) }
    }
}

/// `tcx map lookup MAP … --key HEX`
struct MapLookup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Print one entry.",
        discussion: "Exit status 1, with `Not found` (JSON: null), when the map has no such key.")

    @OptionGroup var source: MapSourceOptions

    @Option(help: "The key in hex: \"01 00 00 00\", 01000000 or \"0x01 0x00 0x00 0x00\".")
    var key: String

    func run() throws {
        let keyBytes = try MapPrinting.bytes(key, option: "--key")
        try source.withMap { map in
            let text = MapText(info: map.info)
            let value: [UInt8]
            do throws(TCXError) {
                value = try map.lookup(key: keyBytes)
            } catch where error.errno == .ENOENT {
                print(source.json ? "null" : text.notFound(key: keyBytes), terminator: source.json ? "\n" : "")
                throw ExitCode.failure
            } catch {
                throw CommandFailure("lookup failed: \(error)")
            }
            print(source.json ? text.jsonEntry(key: keyBytes, value: value) : text.entry(key: keyBytes, value: value),
                  terminator: source.json ? "\n" : "")
        }
    }
}

/// `tcx map update (MAP (--script F | --object F) | --pinned PATH) --key HEX --value HEX [--flags …]`
struct MapUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Write one entry, then dump the map (a script's or object's world ends with the command).",
        discussion: """
            A per-CPU map takes one value per possible CPU, each padded to 8 bytes, as \
            BPF_MAP_UPDATE_ELEM does; `tcx map lookup` shows that layout. A --pinned map is \
            changed in the kernel and stays changed.
            """)

    enum Flags: String, ExpressibleByArgument, CaseIterable {
        case any, noexist, exist
        var value: UInt64 {
            switch self {
            case .any: MapUpdateFlags.any
            case .noexist: MapUpdateFlags.noExist
            case .exist: MapUpdateFlags.exist
            }
        }
    }

    @OptionGroup var source: MapSourceOptions

    @Option(help: "The key in hex.")
    var key: String

    @Option(help: "The value in hex.")
    var value: String

    @Option(help: "any (default, BPF_ANY), noexist (BPF_NOEXIST) or exist (BPF_EXIST).")
    var flags: Flags = .any

    func run() throws {
        let keyBytes = try MapPrinting.bytes(key, option: "--key")
        let valueBytes = try MapPrinting.bytes(value, option: "--value")
        try source.withMap(writable: true) { map in
            do throws(TCXError) {
                try map.update(key: keyBytes, value: valueBytes, flags: flags.value)
            } catch {
                throw CommandFailure("update failed: \(error)")
            }
            try MapPrinting.dump(map, json: source.json)
        }
    }
}

/// `tcx map delete (MAP (--script F | --object F) | --pinned PATH) --key HEX`
struct MapDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one entry, then dump the map.",
        discussion: "Exit status 1 when the map has no such key (ENOENT); array maps cannot delete (EINVAL).")

    @OptionGroup var source: MapSourceOptions

    @Option(help: "The key in hex.")
    var key: String

    func run() throws {
        let keyBytes = try MapPrinting.bytes(key, option: "--key")
        try source.withMap(writable: true) { map in
            do throws(TCXError) {
                try map.delete(key: keyBytes)
            } catch {
                throw CommandFailure("delete failed: \(error)")
            }
            try MapPrinting.dump(map, json: source.json)
        }
    }
}

/// The printing the map commands share.
enum MapPrinting {
    static func bytes(_ text: String, option: String) throws(CommandFailure) -> [UInt8] {
        do {
            return try HexBytes.parse(text)
        } catch {
            throw CommandFailure("\(option): \(error)")
        }
    }

    /// Walks the keys with BPF_MAP_GET_NEXT_KEY and looks each up; a key whose lookup fails is
    /// reported (on stderr in text) and still counted, as bpftool does.
    static func dump(_ map: any MapAccess, json: Bool) throws {
        let text = MapText(info: map.info)
        var entries: [String] = []
        var count = 0
        var previous: [UInt8]?
        do {
            while let key = try map.nextKey(after: previous) {
                do {
                    let value = try map.lookup(key: key)
                    if json { entries.append(text.jsonEntry(key: key, value: value)) } else {
                        print(text.entry(key: key, value: value), terminator: "")
                    }
                } catch {
                    if json { entries.append(text.jsonLookupError(key: key, error)) } else {
                        printError("can't lookup element with key: \(MapText.hex(key)) (\(error))")
                    }
                }
                count += 1
                previous = key
            }
        } catch {
            throw CommandFailure("dump failed: \(error)")
        }
        print(json ? "[" + entries.joined(separator: ",") + "]" : MapText.footer(count: count))
    }
}
