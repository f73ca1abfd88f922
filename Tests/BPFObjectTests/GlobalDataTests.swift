import BPFCore
@testable import BPFObject
import Testing

@Suite struct GlobalDataTests {
    @Test func sectionsBecomeArrayMaps() throws {
        let spec = try Fixture.parse("globals.o")
        #expect(spec.name == "globals")
        let byName = Dictionary(uniqueKeysWithValues: spec.maps.map { ($0.name, $0) })
        #expect(Set(byName.keys) == ["globals.data", "globals.rodata", "globals.bss", ".data.custom", ".rodata.custom"])

        let data = try #require(byName["globals.data"])
        #expect(data.type == .array && data.keySize == 4 && data.maxEntries == 1)
        #expect(data.valueSize == 8)
        #expect(data.initialValue == [7, 0, 0, 0, 3, 0, 0, 0])   // hits = 7, local_counter = 3
        #expect(data.flags == MapFlags.mmapable)

        let rodata = try #require(byName["globals.rodata"])
        #expect(rodata.flags == MapFlags.rdonlyProg | MapFlags.mmapable)
        #expect(rodata.initialValue == [100, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8])

        let bss = try #require(byName["globals.bss"])
        #expect(bss.valueSize == 16 && bss.initialValue == [UInt8](repeating: 0, count: 16))

        #expect(byName[".data.custom"]?.initialValue == [0x44, 0x33, 0x22, 0x11])
        #expect(byName[".rodata.custom"]?.flags == MapFlags.rdonlyProg | MapFlags.mmapable)
    }

    @Test func globalReferencesBecomeMapValueLoads() throws {
        let spec = try Fixture.parse("globals.o")
        let program = try #require(spec.program(named: "classifier"))
        func index(_ name: String) -> Int32 { Int32(spec.maps.firstIndex { $0.name == name }!) }
        // (map, offset) in the order the program loads them; see globals.c.
        let expected: [(Int32, Int32)] = [
            (index("globals.data"), 0),     // hits
            (index("globals.bss"), 0),      // seen
            (index("globals.data"), 4),     // local_counter, through the .data section symbol
            (index(".rodata.custom"), 0),
            (index(".data.custom"), 0),
            (index("globals.bss"), 8),      // local_zero, through the .bss section symbol
            (index("globals.rodata"), 0),   // threshold
            (index("globals.rodata"), 4),   // table
        ]
        let loads = program.loads(.mapIndexValue)
        #expect(loads.map(\.first.imm) == expected.map(\.0))
        #expect(loads.map(\.second.imm) == expected.map(\.1))
    }

    @Test func stringLiteralsBecomeAReadOnlyMap() throws {
        let spec = try Fixture.parse("strings.o")
        // Two dots: a "custom" section, named without the object prefix; no BTF variable, so not mmap-able.
        #expect(spec.maps == [MapSpec(name: ".rodata.str1.1", type: .array, keySize: 4, valueSize: 17, maxEntries: 1,
                                      flags: MapFlags.rdonlyProg, initialValue: Array("len %u\n\0mark %u\n\0".utf8))])
        let loads = try #require(spec.program(named: "say")).loads(.mapIndexValue)
        #expect(loads.map(\.first.imm) == [0, 0])
        #expect(loads.map(\.second.imm) == [0, 8])
    }

    @Test func readsFromAPath() throws {
        let spec = try ObjectSpec.load(path: Fixture.directory + "/strings.o")
        #expect(spec.name == "strings" && spec.programs.count == 1)
        #expect(throws: ObjectError.self) { try ObjectSpec.load(path: Fixture.directory + "/missing.o") }
    }

    @Test func libbpfInternalNames() {
        #expect(GlobalData.objectName(fromFile: "/tmp/my_object_name.bpf.o") == "my_object_name")
        #expect(GlobalData.objectName(fromFile: "a_very_long_object_file_name.o") == "a_very_long_obj")
        #expect(GlobalData.internalName(object: "my_object_name", section: ".rodata") == "my_objec.rodata")
        #expect(GlobalData.internalName(object: "my_object_name", section: ".bss") == "my_objec.bss")
        #expect(GlobalData.internalName(object: "my_object_name", section: ".kconfig") == "my_obje.kconfig")
        #expect(GlobalData.internalName(object: "obj", section: ".rodata.abracadabra") == ".rodata.abracad")
        #expect(GlobalData.internalName(object: "my-obj", section: ".data") == "my_obj.data")
    }
}
