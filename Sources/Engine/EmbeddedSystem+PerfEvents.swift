import BPFCore
import BPFMaps
import TCX

/// Perf event readers on the embedded engine: a bounded in-memory ring per CPU in the perf
/// event array's slots, sized as the kernel's mmap'd data area would be.
extension EmbeddedSystem: PerfEventReading {
    public func openPerfEventRings(map handle: Handle, pagesPerCPU: Int) throws(TCXError) -> any PerfEventRings {
        try PerfEventRingSize.check(pagesPerCPU)
        let object = try withWorld { world throws(TCXError) in try world.map(at: handle.rawValue, role: "map") }
        guard let events = object.map as? PerfEventArrayMap else {
            throw TCXError(.EINVAL, "\(object.label) is not a perf event array")
        }
        let count = min(Self.possibleCPUs, Int(events.maxEntries))
        let rings = (0..<count).map { PerfEventRing(cpu: $0, capacity: pagesPerCPU * PerfEventRingSize.pageSize) }
        for (cpu, ring) in rings.enumerated() {
            do throws(MapError) {
                try events.install(ring, at: UInt32(cpu))
            } catch {
                throw TCXError(error.errno, "\(object.label): \(error.reason)")
            }
        }
        return EmbeddedPerfEventRings(map: events, rings: rings)
    }
}

/// The rings of one embedded reader; closing takes them out of the slots they still hold, as the
/// kernel does when the map file that filled them is released, except for a map with
/// BPF_F_PRESERVE_ELEMS, whose slots keep them.
final class EmbeddedPerfEventRings: PerfEventRings {
    private let map: PerfEventArrayMap
    private let rings: [PerfEventRing]

    init(map: PerfEventArrayMap, rings: [PerfEventRing]) {
        self.map = map
        self.rings = rings
    }

    var cpus: [Int] { rings.map(\.cpu) }

    func read() -> [PerfEventRecord] {
        rings.flatMap { $0.drain() }
    }

    func close() {
        guard map.spec.flags & PerfEventArrayMap.preserveElements == 0 else { return }
        for ring in rings { map.remove(ring, at: UInt32(ring.cpu)) }
    }
}
