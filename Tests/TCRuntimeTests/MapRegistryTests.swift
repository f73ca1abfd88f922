import BPFCore
import BPFMaps
@testable import TCRuntime
import Testing

/// Map handles (Sources/TCRuntime/MapRegistry.swift): a service creating and dropping maps for
/// a long time keeps a table the size of its live maps, and a handle outliving its map finds
/// nothing, not a newer map.
@Suite struct MapRegistryTests {
    static func array() throws -> BPFMap {
        try BPFMap.create(MapSpec(name: "a", type: .array, keySize: 4, valueSize: 8, maxEntries: 1), possibleCPUs: 1)
    }

    @Test func mapsThatAreGoneDoNotGrowTheTable() throws {
        let kept = try Self.array()
        let keptHandle = MapRegistry.shared.handle(for: kept)
        var stale: [UInt64] = []
        for round in 0 ..< 10 * MapRegistry.smallestSweep {
            let map = try Self.array()
            let handle = MapRegistry.shared.handle(for: map)
            if round % 1000 == 0 { stale.append(handle) }
        }
        // Other suites' maps share the table: its bound, not an exact count.
        #expect(MapRegistry.shared.count < 4 * MapRegistry.smallestSweep)
        #expect(MapRegistry.shared.map(keptHandle) === kept)
        #expect(MapRegistry.shared.handle(for: kept) == keptHandle)
        for handle in stale { #expect(MapRegistry.shared.map(handle) == nil) }
    }
}
