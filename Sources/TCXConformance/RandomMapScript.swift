import BPFCore
import TCXScript

/// Random `map-update` / `map-lookup` / `map-delete` lines with keys and values of every size —
/// mostly the map's own, often one byte off, empty or far too long — so that both backends
/// meet the same hostile map input and must answer it alike.
public struct RandomMapScript {
    /// One map of an object a script loaded.
    public struct Target: Sendable {
        public let file: String
        public let spec: MapSpec
        public init(file: String, spec: MapSpec) {
            self.file = file
            self.spec = spec
        }
    }

    private var rng: SplitMix64
    private let setup: [String]
    private let targets: [Target]

    /// `setup` are the lines that load the objects (`prog NAME load FILE SECTION`).
    public init(seed: UInt64, setup: [String], targets: [Target]) {
        rng = SplitMix64(seed: seed)
        self.setup = setup
        self.targets = targets
    }

    /// The load lines of existing scripts that succeeded (`prog NAME load FILE SECTION => ok`),
    /// renamed per file so they do not clash, and every map of the objects they load
    /// (`maps(FILE)` reads an object's map specs; FILE is relative to the scripts' folder).
    public static func plan(scripts sources: [String],
                            maps: (String) throws -> [MapSpec]) rethrows -> (setup: [String], targets: [Target]) {
        var setup: [String] = []
        var targets: [Target] = []
        var seen: Set<String> = []
        for source in sources {
            for line in ScriptFile.lines(source) where line.hasPrefix("prog ") && line.hasSuffix("=> ok") {
                let words = line.split(separator: " ").map(String.init)
                guard words.count >= 5, words[2] == "load" else { continue }
                let file = words[3]
                let stem = file.split(separator: ".").first.map(String.init) ?? file
                setup.append((["prog", "\(stem)_\(words[1])"] + words[2...]).joined(separator: " "))
                if seen.insert(file).inserted {
                    targets += try maps(file).map { Target(file: file, spec: $0) }
                }
            }
        }
        return (setup, targets)
    }

    public mutating func script(length: Int) -> String {
        guard !targets.isEmpty else { return setup.joined(separator: "\n") + "\n" }
        var lines = setup
        for _ in 0..<length {
            let target = targets[Int(rng.next() % UInt64(targets.count))]
            let name = "\(target.file) \(target.spec.name)"
            let key = hex(size(target.spec.keySize), small: true)
            // A prog array's value reads back as a program id, and ids are each world's own.
            let readable = target.spec.type != .progArray && target.spec.type.rawValue != 12 && target.spec.type.rawValue != 13
            switch rng.next() % 3 {
            case 0:
                let value = hex(size(target.spec.valueSize), small: false)
                lines.append("map-update \(name) \(key) \(value)\(flags())")
            case 1 where readable: lines.append("map-lookup \(name) \(key)")
            default: lines.append("map-delete \(name) \(key)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The right size most of the time; otherwise one off or far too long (a script cannot
    /// spell an empty KEY, so a size-0 key gets one byte).
    private mutating func size(_ right: UInt32) -> Int {
        let right = Int(right)
        switch rng.next() % 10 {
        case 0: return right + 1
        case 1: return max(right - 1, 1)
        case 2: return 4096
        default: return right
        }
    }

    /// Keys from a small set, so updates, lookups and deletes meet each other.
    private mutating func hex(_ count: Int, small: Bool) -> String {
        var text = ""
        for index in 0..<max(count, 1) {
            let byte = small ? (index == 0 ? UInt8(rng.next() % 6) : 0) : UInt8(truncatingIfNeeded: rng.next())
            text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return text
    }

    private mutating func flags() -> String {
        switch rng.next() % 6 {
        case 0: return " flags=noexist"
        case 1: return " flags=exist"
        case 2: return " flags=any"
        default: return ""
        }
    }
}
