import BPFCore
import BPFMaps

/// The maps a program may name, made afresh for every run and filled the same way: array
/// slots and hash entries of distinct bytes, two queued values. FuzzBytecode's maps, in the
/// order of VMDifferentialTests' `RuntimeProgramGenerator` (array, hash, ring, queue), whose
/// programs seed this target (README), and the program array last.
enum FuzzMaps {
    static let specs = [
        MapSpec(name: "array", type: .array, keySize: 4, valueSize: 16, maxEntries: 4),
        MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 16),
        MapSpec(name: "ring", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
        MapSpec(name: "queue", type: .queue, keySize: 0, valueSize: 8, maxEntries: 8),
        MapSpec(name: "progs", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 4),
    ]

    @Sendable static func make() -> [BPFMap] {
        let maps = specs.compactMap { try? BPFMap.create($0, possibleCPUs: 2) }
        for map in maps { fill(map) }
        return maps
    }

    private static func fill(_ map: BPFMap) {
        switch map.type {
        case .array:
            for index in 0..<UInt8(4) {
                try? map.update(key: [index, 0, 0, 0], value: (0..<UInt8(16)).map { index &* 16 &+ $0 })
            }
        case .hash:
            for key in [UInt8(1), 2, 7] {
                try? map.update(key: [key, 0, 0, 0], value: [UInt8](repeating: key, count: 8))
            }
        default:
            if let queue = map as? QueueStackMap {
                _ = queue.push([1, 2, 3, 4, 5, 6, 7, 8], flags: 0)
                _ = queue.push([0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0], flags: 0)
            }
        }
    }
}
