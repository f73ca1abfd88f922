import BPFMaps
import Testing

/// `ObjectHeap.holds` and `owner(ofNode:)` find the object around an address by its page: an
/// object spanning many pages is found from any of them, a range running past an object's end
/// is refused, and many live objects do not hide one another.
@Suite(.serialized) struct ObjectHeapHoldsTests {
    @Test func anObjectSpanningManyPagesIsFoundFromEachOfThem() throws {
        // 512 copies of 512 bytes: 256 KiB, 64 pages.
        let object = try #require(ObjectHeap.shared.allocatePerCPU(size: 512, copies: 512))
        let total: UInt64 = 512 * 512
        for offset in stride(from: UInt64(0), to: total, by: 4096) {
            #expect(ObjectHeap.shared.holds(object + offset, size: 8))
            #expect(ObjectHeap.shared.holds(object + offset + 4088, size: 8))
        }
        #expect(ObjectHeap.shared.holds(object + total - 8, size: 8))
        #expect(!ObjectHeap.shared.holds(object + total - 4, size: 8), "runs 4 bytes past the end")
        #expect(ObjectHeap.shared.holds(object, size: total))
        #expect(!ObjectHeap.shared.holds(object + 1, size: total))
        ObjectHeap.shared.free(object)
        #expect(!ObjectHeap.shared.holds(object + 8192, size: 8), "freed")
    }

    @Test func manyLiveObjectsEachAnswerForTheirOwnBytesOnly() throws {
        var objects: [UInt64] = []
        defer { for object in objects { ObjectHeap.shared.free(object) } }
        for _ in 0 ..< 2_000 {
            let object = try #require(ObjectHeap.shared.allocate(size: 24))
            objects.append(UInt64(UInt(bitPattern: object.baseAddress)))
        }
        for object in objects {
            #expect(ObjectHeap.shared.holds(object, size: 24))
            #expect(ObjectHeap.shared.holds(object + 16, size: 8))
            #expect(!ObjectHeap.shared.holds(object + 20, size: 8), "crosses the object's end")
        }
    }

    @Test func aNodeDeepInALargeObjectFindsItsOwnerWithoutItsOffset() throws {
        let object = try #require(ObjectHeap.shared.allocate(size: 4000))
        let base = UInt64(UInt(bitPattern: object.baseAddress))
        defer { ObjectHeap.shared.free(base) }
        let owner = try #require(ObjectHeap.shared.owner(ofNode: base + 3_992, offset: 0))
        #expect(owner.object == base)
        #expect(owner.nodeOffset == 3_992)
        let given = try #require(ObjectHeap.shared.owner(ofNode: base + 3_992, offset: 3_992))
        #expect(given.object == base)
        #expect(ObjectHeap.shared.owner(ofNode: base + 4_000, offset: 0)?.object != base)
    }
}
