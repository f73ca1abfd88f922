import BPFMaps
import BPFVM

/// The map lookups the JIT may do itself (`DirectMapLookup`), exactly as `MapHelpers.lookup`
/// does them: an array's value address computed, as the kernel's `map_gen_lookup`; hash, LRU,
/// per-CPU and LPM maps by calling their lookup straight, as the kernel's JIT calls the map's
/// own lookup. Every other map goes through the helper, which has rules of its own for some
/// (a map of maps returns a handle) and nothing to look up in others (queues, ring buffers).
enum DirectLookups {
    static func lookup(in map: BPFMap) -> DirectMapLookup? {
        guard map.valueSize > 0, map.keySize > 0 else { return nil }
        if let array = map as? ArrayMap, !array.isPerCPU, map.keySize == 4, let base = array.valueBaseAddress(index: 0) {
            return DirectMapLookup(keySize: 4, valueSize: map.valueSize, writable: map.programWritable,
                                   kind: .array(base: UInt64(UInt(bitPattern: base)), stride: array.elementStride,
                                                maxEntries: map.maxEntries),
                                   finder: MapFinder(map))
        }
        guard map is ArrayMap || map is HashMap || map is LPMTrieMap else { return nil }
        return DirectMapLookup(keySize: map.keySize, valueSize: map.valueSize, writable: map.programWritable,
                               kind: .call, finder: MapFinder(map))
    }
}

/// `lookupForProgram` on one map, as `MapHelpers.lookup` calls it, held by the program's code.
final class MapFinder: DirectMapFinder, @unchecked Sendable {
    private let map: BPFMap
    /// `map`, borrowed at each lookup: calling it through the stored reference retained and
    /// released it per lookup.
    private let borrowed: Unmanaged<BPFMap>
    /// Whether the CPU chooses a copy: asked only then (the other maps' lookups ignore it).
    private let perCPU: Bool

    init(_ map: BPFMap) {
        self.map = map
        borrowed = Unmanaged.passUnretained(map)
        perCPU = (map as? ArrayMap)?.isPerCPU ?? (map as? HashMap)?.isPerCPU ?? false
    }

    override func find(_ key: UnsafeRawPointer, userData: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        borrowed._withUnsafeGuaranteedRef { map in
            map.lookupForProgram(key: key, cpu: perCPU ? MapHelpers.cpu(userData: userData, map) : 0)
        }
    }
}
