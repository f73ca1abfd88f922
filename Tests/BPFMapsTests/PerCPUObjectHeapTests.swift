import BPFCore
import BPFMaps
import Testing

/// Per-CPU objects on the heap (`bpf_percpu_obj_new`): one zeroed copy per CPU, each reached by
/// its CPU number, none past the last; a stashed one is dropped with the map value that holds it.
@Suite(.serialized) struct PerCPUObjectHeapTests {
    @Test func eachCPUHasItsOwnZeroedCopyAndNoneLiesPastTheLast() throws {
        let object = try #require(ObjectHeap.shared.allocatePerCPU(size: 12, copies: 3))
        #expect(ObjectHeap.shared.isPerCPU(object))
        var starts: Set<UInt> = []
        for cpu in UInt64(0) ..< 3 {
            let copy = try #require(ObjectHeap.shared.perCPUCopy(of: object, cpu: cpu))
            #expect(copy.count == 12)
            #expect(copy.allSatisfy { $0 == 0 })
            copy.storeBytes(of: UInt32(cpu + 1), toByteOffset: 8, as: UInt32.self)
            starts.insert(UInt(bitPattern: copy.baseAddress))
        }
        #expect(starts.count == 3)
        for cpu in UInt64(0) ..< 3 {
            let copy = try #require(ObjectHeap.shared.perCPUCopy(of: object, cpu: cpu))
            #expect(copy.load(fromByteOffset: 8, as: UInt32.self) == UInt32(cpu + 1))
        }
        #expect(ObjectHeap.shared.perCPUCopy(of: object, cpu: 3) == nil)
        #expect(ObjectHeap.shared.perCPUCopy(of: object, cpu: UInt64.max) == nil)
        ObjectHeap.shared.free(object)
        #expect(!ObjectHeap.shared.isPerCPU(object))
        #expect(ObjectHeap.shared.perCPUCopy(of: object, cpu: 0) == nil)
    }

    @Test func thePerCPULimitIsTheKernels() {
        #expect(ObjectHeap.shared.allocatePerCPU(size: ObjectLimits.largestPerCPUObject + 1, copies: 2) == nil)
        let largest = ObjectHeap.shared.allocatePerCPU(size: ObjectLimits.largestPerCPUObject, copies: 2)
        #expect(largest != nil)
        if let largest { ObjectHeap.shared.free(largest) }
    }

    @Test func aPlainObjectHasNoCopies() throws {
        let plain = try #require(ObjectHeap.shared.allocate(size: 16))
        let address = UInt64(UInt(bitPattern: plain.baseAddress))
        #expect(!ObjectHeap.shared.isPerCPU(address))
        #expect(ObjectHeap.shared.perCPUCopy(of: address, cpu: 0) == nil)
        ObjectHeap.shared.free(address)
    }

    @Test func overwritingTheValueDropsTheStashedObject() throws {
        let object = try #require(ObjectHeap.shared.allocatePerCPU(size: 16, copies: 2))
        let value = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)
        defer { value.deallocate() }
        value.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
        #expect(ObjectHeap.shared.exchange(field: value + 8, object: object) == 0)
        let field = KptrField(offset: 8, kind: .percpu, targetTypeID: 1, targetName: "tally")
        ObjectHeap.shared.dropStashed(in: value, fields: [field])
        #expect(!ObjectHeap.shared.isPerCPU(object))
        #expect(value.load(fromByteOffset: 8, as: UInt64.self) == 0)
    }

    @Test(arguments: [("0", 1), ("0-1\n", 2), ("0,2-5", 5), ("0-3,8-11", 8)])
    func possibleCPUListsAreCountedAsTheKernelWritesThem(text: String, count: Int) {
        #expect(PossibleCPUList.parse(text) == count)
    }

    @Test(arguments: ["", "x", "3-1", "0-"])
    func aListThatIsNoneCountsNothing(text: String) {
        #expect(PossibleCPUList.parse(text) == nil)
    }
}
