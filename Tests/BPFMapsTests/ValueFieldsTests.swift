import BPFCore
import BPFMaps
import Synchronization
import Testing

/// Maps whose values hold a bpf_timer tell their value fields when a value is overwritten,
/// deleted or evicted, as the kernel's bpf_obj_free_fields runs then; maps without one never do.
@Suite struct ValueFieldsTests {
    /// Counts what the map released, by value address.
    final class Recorder: MapValueFields, Sendable {
        let released = Mutex<[UInt]>([])
        func release(value: UnsafeMutableRawPointer) { released.withLock { $0.append(UInt(bitPattern: value)) } }
        func releaseAll() {}
        func userReferenceReturned() {}
        var count: Int { released.withLock { $0.count } }
    }

    static func map(_ type: MapType, max: UInt32 = 2, timer: Bool = true) throws -> (BPFMap, Recorder) {
        var spec = MapSpec(name: "t", type: type, keySize: 4, valueSize: 24, maxEntries: max)
        if timer { spec.timerOffset = 8 }
        let map = try BPFMap.create(spec, possibleCPUs: 1)
        let recorder = try #require(map.valueFields(orMake: { Recorder() }))
        return (map, recorder)
    }

    static let value = [UInt8](repeating: 1, count: 24)

    @Test func arrayUpdatesRelease() throws {
        let (map, recorder) = try Self.map(.array)
        try map.update(key: u32(1), value: Self.value)
        #expect(recorder.count == 1)
        let address = try #require(map.lookupForProgram(key: u32(1).withUnsafeBytes { $0.baseAddress! }, cpu: 0))
        #expect(recorder.released.withLock { $0 } == [UInt(bitPattern: address)])
    }

    @Test func hashReplaceDeleteAndEvictionRelease() throws {
        let (hash, recorder) = try Self.map(.hash)
        try hash.update(key: u32(1), value: Self.value)
        #expect(recorder.count == 0)
        try hash.update(key: u32(1), value: Self.value)
        #expect(recorder.count == 1)
        try hash.delete(key: u32(1))
        #expect(recorder.count == 2)

        let (lru, evictions) = try Self.map(.lruHash)
        for key: UInt32 in 0..<3 { try lru.update(key: u32(key), value: Self.value) }
        #expect(evictions.count == 1)
    }

    @Test func mapsWithoutATimerReleaseNothing() throws {
        let (map, recorder) = try Self.map(.hash, timer: false)
        try map.update(key: u32(1), value: Self.value)
        try map.update(key: u32(1), value: Self.value)
        try map.delete(key: u32(1))
        #expect(recorder.count == 0)
    }
}
