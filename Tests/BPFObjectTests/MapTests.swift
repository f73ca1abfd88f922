import BPFCore
@testable import BPFObject
import Testing

@Suite struct MapTests {
    @Test func btfMapsOfEveryType() throws {
        let spec = try Fixture.parse("btf_maps.o")
        // The shapes, without the BTF they are created with (checked below).
        let byName = Dictionary(uniqueKeysWithValues: spec.maps.map { map in
            var shape = map
            (shape.btf, shape.btfKeyTypeID, shape.btfValueTypeID) = (nil, 0, 0)
            return (map.name, shape)
        })
        #expect(spec.maps.count == 9)
        #expect(byName["counters"] == MapSpec(name: "counters", type: .array, keySize: 4, valueSize: 8, maxEntries: 16))
        #expect(byName["percpu_stats"] == MapSpec(name: "percpu_stats", type: .percpuArray, keySize: 4, valueSize: 24, maxEntries: 4))
        // The key goes through a const volatile typedef of a padded struct; the value is u64[3].
        #expect(byName["flows"] == MapSpec(name: "flows", type: .hash, keySize: 16, valueSize: 24, maxEntries: 1024,
                                           flags: MapFlags.noPrealloc))
        #expect(byName["percpu_flows"] == MapSpec(name: "percpu_flows", type: .percpuHash, keySize: 4, valueSize: 4, maxEntries: 64))
        #expect(byName["lru_flows"] == MapSpec(name: "lru_flows", type: .lruHash, keySize: 16, valueSize: 4, maxEntries: 128, pinning: 1))
        #expect(byName["lru_percpu"] == MapSpec(name: "lru_percpu", type: .lruPercpuHash, keySize: 8, valueSize: 8, maxEntries: 32))
        #expect(byName["prefixes"] == MapSpec(name: "prefixes", type: .lpmTrie, keySize: 8, valueSize: 4, maxEntries: 255,
                                              flags: MapFlags.noPrealloc))
        #expect(byName["jump_table"] == MapSpec(name: "jump_table", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 8))
        #expect(byName["events"] == MapSpec(name: "events", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096))
    }

    /// BTF maps carry the object's BTF and their key and value types, as libbpf creates them.
    @Test func btfMapsCarryTheirTypes() throws {
        let spec = try Fixture.parse("btf_maps.o")
        let btf = try #require(spec.btf)
        let typed = spec.maps.filter { $0.btfValueTypeID != 0 }
        #expect(typed.map(\.name).contains("counters") && typed.map(\.name).contains("flows"))
        #expect(typed.allSatisfy { $0.btf == btf && $0.btfKeyTypeID != 0 })
        // key_size/value_size given as numbers (the ring buffer has neither): no types, no BTF.
        #expect(spec.maps.filter { $0.btfValueTypeID == 0 }.allSatisfy { $0.btf == nil })
    }

    @Test func btfMapReferencesBecomeMapIndexLoads() throws {
        let spec = try Fixture.parse("btf_maps.o")
        let program = try #require(spec.program(named: "use_maps"))
        let loads = program.loads(.mapIndex)
        #expect(loads.count == 9)
        #expect(Set(loads.map { Int($0.first.imm) }) == Set(spec.maps.indices))
        #expect(loads.allSatisfy { $0.second.imm == 0 })
        // Loads appear in source order: counters is the first map the program touches.
        #expect(spec.maps[Int(loads[0].first.imm)].name == "counters")
        #expect(spec.maps[Int(loads.last!.first.imm)].name == "jump_table")
        #expect(program.loads(.none).isEmpty)
    }

    @Test func legacyMapsSection() throws {
        let spec = try Fixture.parse("legacy_maps.o")
        #expect(spec.maps == [
            MapSpec(name: "packets", type: .array, keySize: 4, valueSize: 8, maxEntries: 4),
            MapSpec(name: "sessions", type: .hash, keySize: 8, valueSize: 16, maxEntries: 512, flags: MapFlags.noPrealloc),
        ])
        let program = try #require(spec.program(named: "tc"))
        #expect(program.loads(.mapIndex).map(\.first.imm) == [0, 1])
        #expect(spec.license == "Dual BSD/GPL")
        #expect(program.license == "Dual BSD/GPL")
    }
}
