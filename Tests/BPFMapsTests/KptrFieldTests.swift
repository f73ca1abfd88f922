import BPFCore
import BPFMaps
import Testing

/// An object stashed in a map value's kptr field lives until the value is overwritten or
/// deleted or the map is freed, as the kernel's bpf_obj_free_fields drops it then; the field
/// then reads NULL. Serialized, and with objects of a size nothing else allocates, so a freed
/// address is not handed out again before the test looks it up.
@Suite(.serialized) struct KptrFieldTests {
    static let objectSize = 3000

    static func map(_ type: MapType) throws -> BPFMap {
        var spec = MapSpec(name: "k", type: type, keySize: 4, valueSize: 24, maxEntries: 2)
        spec.kptrFields = [KptrField(offset: 8, kind: .referenced, targetTypeID: 3, targetName: "note")]
        return try BPFMap.create(spec, possibleCPUs: 1)
    }

    /// Puts a new object into key 0's (or `key`'s) field; returns its address and the field.
    static func stash(in map: BPFMap, key: UInt32 = 0) throws -> (UInt64, UnsafeMutableRawPointer) {
        let object = try #require(ObjectHeap.shared.allocate(size: Self.objectSize))
        let address = UInt64(UInt(bitPattern: object.baseAddress))
        let value = try #require(u32(key).withUnsafeBytes { raw in raw.baseAddress.flatMap { map.lookupForProgram(key: $0, cpu: 0) } })
        let field = value + 8
        #expect(ObjectHeap.shared.exchange(field: field, object: address) == 0)
        #expect(field.load(as: UInt64.self) == address)
        return (address, field)
    }

    @Test func exchangeHandsBackTheHeldObject() throws {
        let map = try Self.map(.array)
        let (first, field) = try Self.stash(in: map)
        #expect(ObjectHeap.shared.exchange(field: field, object: 0) == first)
        #expect(field.load(as: UInt64.self) == 0)
        // Taken out: the program owns it, the map no longer drops it.
        try map.update(key: u32(0), value: [UInt8](repeating: 0, count: 24))
        #expect(ObjectHeap.shared.object(at: first) != nil)
        ObjectHeap.shared.free(first)
        #expect(ObjectHeap.shared.object(at: first) == nil)
    }

    @Test func overwritingAnArrayValueDropsTheObject() throws {
        let map = try Self.map(.array)
        let (object, field) = try Self.stash(in: map)
        try map.update(key: u32(0), value: [UInt8](repeating: 0xff, count: 24))
        #expect(ObjectHeap.shared.object(at: object) == nil)
        #expect(field.load(as: UInt64.self) == 0)
    }

    @Test func freeingTheMapDropsWhatItHolds() throws {
        var map: BPFMap? = try Self.map(.array)
        let (object, _) = try Self.stash(in: try #require(map))
        #expect(ObjectHeap.shared.object(at: object) != nil)
        map = nil
        #expect(ObjectHeap.shared.object(at: object) == nil)
    }

    @Test func deletingAHashElementDropsTheObject() throws {
        let map = try Self.map(.hash)
        try map.update(key: u32(1), value: [UInt8](repeating: 0, count: 24))
        let (object, _) = try Self.stash(in: map, key: 1)
        try map.delete(key: u32(1))
        #expect(ObjectHeap.shared.object(at: object) == nil)
    }

    @Test func freeingAHashMapDropsWhatItHolds() throws {
        var map: BPFMap? = try Self.map(.hash)
        try #require(map).update(key: u32(1), value: [UInt8](repeating: 0, count: 24))
        let (object, _) = try Self.stash(in: try #require(map), key: 1)
        map = nil
        #expect(ObjectHeap.shared.object(at: object) == nil)
    }
}
