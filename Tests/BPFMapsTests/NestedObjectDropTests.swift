import BPFCore
import BPFMaps
import Testing

/// An object freed with its last reference drops what it holds: the objects stashed in its kptr
/// members and those on its own list heads and tree roots (the kernel's bpf_obj_free_fields).
/// Serialized, with objects of sizes nothing else allocates, so a freed address is not handed
/// out again before the test looks it up.
@Suite(.serialized) struct NestedObjectDropTests {
    static let holderSize = 3064, heldSize = 3072

    static func allocate(_ size: Int) throws -> UInt64 {
        let object = try #require(ObjectHeap.shared.allocate(size: size))
        return UInt64(UInt(bitPattern: object.baseAddress))
    }

    /// Stashes `object` in the kptr member at `offset` of `holder`, as bpf_kptr_xchg does.
    static func stash(_ object: UInt64, in holder: UInt64, at offset: Int) throws {
        let field = try #require(UnsafeMutableRawPointer(bitPattern: UInt(holder))) + offset
        #expect(ObjectHeap.shared.exchange(field: field, object: object) == 0)
    }

    @Test func droppingAHolderDropsWhatItsMembersHold() throws {
        let holder = try Self.allocate(Self.holderSize)
        let held = try Self.allocate(Self.heldSize)
        let innermost = try Self.allocate(Self.heldSize)
        try Self.stash(held, in: holder, at: 8)
        try Self.stash(innermost, in: held, at: 0)
        ObjectHeap.shared.free(holder)
        #expect(ObjectHeap.shared.object(at: holder) == nil)
        #expect(ObjectHeap.shared.object(at: held) == nil)
        #expect(ObjectHeap.shared.object(at: innermost) == nil)
    }

    @Test func aSharedHolderKeepsWhatItHoldsUntilItsLastReference() throws {
        let holder = try Self.allocate(Self.holderSize)
        let held = try Self.allocate(Self.heldSize)
        try Self.stash(held, in: holder, at: 16)
        #expect(ObjectHeap.shared.acquire(holder))
        ObjectHeap.shared.free(holder)
        #expect(ObjectHeap.shared.object(at: held) != nil)
        ObjectHeap.shared.free(holder)
        #expect(ObjectHeap.shared.object(at: held) == nil)
    }

    @Test func droppingAHolderDropsItsListAndLeavesOthers() throws {
        let holder = try Self.allocate(Self.holderSize)
        let queued = try Self.allocate(Self.heldSize)
        let elsewhere = try Self.allocate(Self.heldSize)
        ObjectHeap.shared.push(queued, nodeOffset: 0, onto: holder &+ 8, front: false)
        let otherHead = try Self.allocate(Self.holderSize)
        ObjectHeap.shared.push(elsewhere, nodeOffset: 0, onto: otherHead, front: false)
        ObjectHeap.shared.free(holder)
        #expect(ObjectHeap.shared.object(at: queued) == nil)
        #expect(ObjectHeap.shared.object(at: elsewhere) != nil)
        #expect(ObjectHeap.shared.pop(from: otherHead, front: true)?.object == elsewhere)
        ObjectHeap.shared.free(elsewhere)
        ObjectHeap.shared.free(otherHead)
    }
}
