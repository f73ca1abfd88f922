import BPFCore
import BPFMaps
import Testing

/// Objects queued on a map value's list head stay until a program pops them, or the value is
/// overwritten or deleted or the map freed, which drops them. Serialized, with objects of a
/// size nothing else allocates, so a freed address is not handed out again before the test
/// looks it up.
@Suite(.serialized) struct ListRootTests {
    static let objectSize = 3016

    static func map(_ type: MapType) throws -> BPFMap {
        var spec = MapSpec(name: "q", type: type, keySize: 4, valueSize: 24, maxEntries: 2)
        spec.spinLockOffset = 0
        spec.graphRoots = [GraphRoot(offset: 8, kind: .list, containedTypeID: 3, containedName: "item", nodeOffset: 8)]
        return try BPFMap.create(spec, possibleCPUs: 1)
    }

    /// Queues two new objects on key 0's (or `key`'s) list; returns them and the head.
    static func queue(in map: BPFMap, key: UInt32 = 0) throws -> ([UInt64], UInt64) {
        let value = try #require(u32(key).withUnsafeBytes { raw in raw.baseAddress.flatMap { map.lookupForProgram(key: $0, cpu: 0) } })
        let head = UInt64(UInt(bitPattern: value + 8))
        var objects: [UInt64] = []
        for _ in 0 ..< 2 {
            let object = try #require(ObjectHeap.shared.allocate(size: Self.objectSize))
            let address = UInt64(UInt(bitPattern: object.baseAddress))
            ObjectHeap.shared.push(address, nodeOffset: 8, onto: head, front: false)
            objects.append(address)
        }
        return (objects, head)
    }

    @Test func popsInOrderThenEmpty() throws {
        let map = try Self.map(.array)
        let (objects, head) = try Self.queue(in: map)
        #expect(ObjectHeap.shared.pop(from: head, front: true)?.object == objects[0])
        #expect(ObjectHeap.shared.pop(from: head, front: false)?.object == objects[1])
        #expect(ObjectHeap.shared.pop(from: head, front: true) == nil)
        for object in objects { ObjectHeap.shared.free(object) }
    }

    @Test func overwritingTheValueDropsTheQueue() throws {
        let map = try Self.map(.array)
        let (objects, head) = try Self.queue(in: map)
        try map.update(key: u32(0), value: [UInt8](repeating: 0, count: 24))
        #expect(objects.allSatisfy { ObjectHeap.shared.object(at: $0) == nil })
        #expect(ObjectHeap.shared.pop(from: head, front: true) == nil)
    }

    @Test func aSharedObjectLivesUntilItsLastReference() throws {
        let object = try #require(ObjectHeap.shared.allocate(size: Self.objectSize))
        let address = UInt64(UInt(bitPattern: object.baseAddress))
        #expect(ObjectHeap.shared.acquire(address))
        ObjectHeap.shared.free(address)
        #expect(ObjectHeap.shared.object(at: address) != nil)
        ObjectHeap.shared.free(address)
        #expect(ObjectHeap.shared.object(at: address) == nil)
        #expect(!ObjectHeap.shared.acquire(address))
    }

    @Test func freeingTheMapDropsTheQueue() throws {
        var map: BPFMap? = try Self.map(.hash)
        try #require(map).update(key: u32(1), value: [UInt8](repeating: 0, count: 24))
        let (objects, _) = try Self.queue(in: try #require(map), key: 1)
        map = nil
        #expect(objects.allSatisfy { ObjectHeap.shared.object(at: $0) == nil })
    }
}
