import BPFCore

/// Generates random tcx scripts that stress the attach rules: random flag bits, relatives
/// by fd and by id, closed handles, expected revisions near the real one, links and prog-mode
/// attachments mixed, pins and device removal.
///
/// Every line of a generated script runs on both backends and must print the same there, and
/// every refused line must leave the world as it was. Names keep results comparable across
/// backends (ids differ between them), so a generated script never prints a raw id.
public struct RandomScript {
    private var rng: SplitMix64
    private let programs: [String]
    private let links = (1...4).map { "l\($0)" }
    private var devices = ["lo"]
    /// Pins of link names and of program names apart, so `get` keeps each name to one kind.
    private var pinnedLinks: [String] = []
    private var pinnedPrograms: [String] = []
    private var pinCounter = 0
    private var deviceCounter = 0

    /// `programs` beyond 63 let a script fill a hook and meet its limit.
    public init(seed: UInt64, programs: Int = 6) {
        rng = SplitMix64(seed: seed)
        self.programs = (1...max(programs, 4)).map { "p\($0)" }
    }

    /// A whole script: the programs, a veth pair, then `length` random commands.
    public mutating func script(length: Int) -> String {
        var lines = programs.enumerated().map { index, name in
            "prog \(name) ret \(index % 3 == 2 ? "pass" : "next")"
        }
        lines.append(addDevice())
        // A crowded script starts next to the limit, so random lines keep meeting it.
        if crowded {
            for program in programs.prefix(60) { lines.append("attach \(program) lo ingress") }
        }
        // Bind every link name once, so any later line may use any of them.
        for (index, link) in links.enumerated() {
            lines.append("link \(link) \(programs[index]) \(index < 2 ? "lo" : devices[1]) \(index % 2 == 0 ? "ingress" : "egress")")
        }
        for _ in 0..<length {
            let line = command()
            // Rebinding a name closes its old handle first; an explicit close keeps every line
            // a single API call, so a refused line can be checked to have changed nothing.
            let words = line.split(separator: " ")
            if words.count > 1, words[0] == "link" || words[0] == "get" { lines.append("close \(words[1])") }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private mutating func addDevice() -> String {
        deviceCounter += 1
        let name = "va\(deviceCounter)", peer = "vb\(deviceCounter)"
        devices += [name, peer]
        return "dev \(name) veth \(peer)"
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    private mutating func hook() -> String { pick(["ingress", "egress"]) }
    /// With more programs than a hook holds, most lines aim at one hook so that it fills up.
    private var crowded: Bool { programs.count > 63 }

    private mutating func target() -> String {
        if crowded && chance(85) { return "lo ingress" }
        return "\(pick(devices)) \(hook())"
    }

    private mutating func flags() -> String {
        if crowded && chance(60) { return "" }
        var words: [String] = []
        for (word, percent) in [("before", 30), ("after", 30), ("replace", 12), ("id", 25), ("link", 20)] as [(String, UInt64)]
        where chance(percent) {
            words.append(word)
        }
        if chance(4) { words.append(pick(["0x40", "0x400", "1", "2"])) }
        return words.isEmpty ? "" : " flags=" + words.joined(separator: ",")
    }

    /// With the id flag a name stands for its object's id, and program and link ids are
    /// separate counters whose values differ between backends: an id of the other kind would
    /// name an arbitrary object, so by id a relative names an object of the kind the flags ask.
    private mutating func relative(_ flags: String) -> String {
        guard chance(60) else { return chance(10) ? " relative=0" : "" }
        if chance(8) { return " relative=\(pick(["0xfffffff0", "0"]))" }
        if flags.contains("id") {
            return " relative=" + (flags.contains("link") ? pick(links) : pick(programs))
        }
        return " relative=" + (chance(65) ? pick(programs) : pick(links))
    }

    private mutating func revision() -> String {
        chance(25) ? " revision=\(rng.next() % 8 + 1)" : ""
    }

    private mutating func command() -> String {
        var roll = rng.next() % 100
        if crowded && (30..<42).contains(roll) { roll = 0 }  // fewer detaches, more attaches
        switch roll {
        case 0..<30:
            let replace = chance(30) ? " replace=\(pick(programs))" : ""
            let flags = flags()
            return "attach \(pick(programs)) \(target())\(flags)\(relative(flags))\(replace)\(revision())"
        case 30..<45:
            let program = chance(70) ? pick(programs) : "-"
            let flags = flags()
            return "detach \(program) \(target())\(flags)\(relative(flags))\(revision())"
        case 45..<62:
            let flags = flags()
            return "link \(pick(links)) \(pick(programs)) \(target())\(flags)\(relative(flags))\(revision())"
        case 62..<67:
            return "update \(pick(links)) \(pick(programs))" + (chance(30) ? " old=\(pick(programs))" : "")
        case 67..<70:
            return "link-detach \(pick(links))"
        case 70..<74:
            return "close \(pick(links + links + programs))"
        case 74..<77:
            return "info \(pick(links))"
        case 77..<80:
            pinCounter += 1
            if chance(60) {
                pinnedLinks.append("lpin\(pinCounter)")
                return "pin \(pick(links)) lpin\(pinCounter)"
            }
            pinnedPrograms.append("ppin\(pinCounter)")
            return "pin \(pick(programs)) ppin\(pinCounter)"
        case 80..<82:
            let all = pinnedLinks + pinnedPrograms
            guard !all.isEmpty else { return "unpin nothing" }
            return "unpin \(pick(all))"
        case 82..<84:
            if chance(70) {
                return "get \(pick(links)) \(pinnedLinks.isEmpty ? "nothing" : pick(pinnedLinks))"
            }
            return "get \(pick(programs)) \(pinnedPrograms.isEmpty ? "nothing" : pick(pinnedPrograms))"
        case 84..<85:
            return devices.count > 1 && chance(50) ? "dev-del \(pick(Array(devices.dropFirst())))" : addDevice()
        default:
            return "query \(target())" + (chance(15) ? " count=\(rng.next() % 3)" : "")
        }
    }
}
