import Engine
import TCX
import TCXScript

/// Every map of the objects the plan loaded, with all its entries, so a phase can report what
/// its programs counted.
struct MapSnapshot {
    struct Map {
        let name: String
        let entries: [[UInt8]: [UInt8]]
    }

    /// By map id.
    let maps: [UInt32: Map]

    init(_ world: EmbeddedSystem, _ runner: ScriptRunner) {
        var maps: [UInt32: Map] = [:]
        for (_, name, handle) in runner.loadedMaps {
            guard let info = try? world.mapInfo(handle), maps[info.id] == nil else { continue }
            var entries: [[UInt8]: [UInt8]] = [:]
            var key: [UInt8]? = nil
            while let next = try? world.nextKey(map: handle, after: key) {
                entries[next] = try? world.lookup(map: handle, key: next)
                key = next
                if entries.count >= Int(info.maxEntries) { break }  // a hash changing under us cannot loop forever
            }
            maps[info.id] = Map(name: name, entries: entries)
        }
        self.maps = maps
    }

    /// The entries of each map that differ from `before`, maps in id order.
    func changes(since before: MapSnapshot) -> [PhaseReport.MapChange] {
        maps.sorted { $0.key < $1.key }.compactMap { id, map in
            let old = before.maps[id]?.entries ?? [:]
            let changed = map.entries.filter { old[$0.key] != $0.value }
                .sorted { (Self.number($0.key) ?? .max, Self.text($0.key)) < (Self.number($1.key) ?? .max, Self.text($1.key)) }
            guard !changed.isEmpty else { return nil }
            return PhaseReport.MapChange(name: map.name, entries: changed.map { key, value in
                (Self.text(key), Self.text(value) + Self.delta(old[key], value))
            })
        }
    }

    /// A counter's growth in this phase, "(+N)", when the value is a number that grew.
    private static func delta(_ old: [UInt8]?, _ new: [UInt8]) -> String {
        guard let now = number(new), let before = old.flatMap(number), before > 0, now > before else { return "" }
        return "(+\(now - before))"
    }

    private static func number(_ bytes: [UInt8]) -> UInt64? {
        guard [1, 2, 4, 8].contains(bytes.count) else { return nil }
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        if let value = number(bytes) { return "\(value)" }
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
