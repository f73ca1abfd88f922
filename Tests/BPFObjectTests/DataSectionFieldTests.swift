import BPFCore
@testable import BPFObject
import Testing

/// Global-data maps are typed by their section's DATASEC, as libbpf types them, so the kernel
/// (and the embedded verifier) see the locks and kptrs global variables hold
/// (Tests/Fixtures/corpus/objects/globals.c).
@Suite struct DataSectionFieldTests {
    static let directory: String = {
        let tests = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        return tests + "/Fixtures/corpus/objects/"
    }()
    static let path = directory + "datasec.o"

    @Test func customSectionsCarryTheirVariablesFields() throws {
        let spec = try ObjectSpec.load(path: Self.path)
        let guarded = try #require(spec.maps.first { $0.name == ".bss.guarded" })
        #expect(guarded.btfKeyTypeID == 0 && guarded.btfValueTypeID != 0 && guarded.btf != nil)
        #expect(guarded.spinLockOffset == 0)   // guard, then guarded_bytes at 8
        #expect(guarded.kptrFields.isEmpty)

        let kept = try #require(spec.maps.first { $0.name == ".bss.kept" })
        #expect(kept.btfValueTypeID != 0 && kept.spinLockOffset == nil)
        #expect(kept.kptrFields.map(\.offset) == [0])
        #expect(kept.kptrFields.first?.targetName == "tally")
        #expect(kept.kptrFields.first?.kind == .referenced)
    }

    @Test func arraysOfRootsAndNestedStructsCount() throws {
        let spec = try ObjectSpec.load(path: Self.directory + "globallist.o")
        let shelves = try #require(spec.maps.first { $0.name == ".bss.shelves" })
        #expect(shelves.spinLockOffset == 0)
        #expect(shelves.graphRoots.map(\.offset) == [8, 24])   // shelves[0], shelves[1]
        #expect(shelves.graphRoots.allSatisfy { $0.containedName == "reading" && $0.nodeOffset == 16 })
        let station = try #require(spec.maps.first { $0.name == ".bss.station" })
        #expect(station.spinLockOffset == 8)                    // station.queue.lock
        #expect(station.graphRoots.map(\.offset) == [16])      // station.queue.head
    }
}
