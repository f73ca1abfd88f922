import BPFCore
@testable import BPFObject
import Testing

/// An object's externs do not cost it its BTF: the `.ksyms` and `.kconfig` data sections, which
/// have no ELF section behind them, are rewritten as libbpf rewrites them, so the kernel gets the
/// BTF and the function records (callbacks need them, global functions are checked from them).
@Suite struct ExternSectionTests {
    static func parse(_ name: String, kconfig: KconfigSource? = nil) throws -> ObjectSpec {
        try ObjectSpec.parse(bytes: Fixture.bytes(name), name: name, kconfig: kconfig)
    }

    static func kernelBTF(_ spec: ObjectSpec) throws -> BTF {
        let bytes = try #require(spec.btf)
        return try BTF(bytes: bytes, location: "fixed BTF", fail: Failure(file: "t.o"))
    }

    @Test func aKfuncExternKeepsTheObjectsBTFAndFunctionRecords() throws {
        let plain = try Self.parse("../verifier/extern_btf_plain.o")
        let withExtern = try Self.parse("../verifier/extern_btf.o")
        #expect(withExtern.btf != nil)
        for name in ["sums_in_a_loop", "global_untyped_pointer", "global_context"] {
            let a = try #require(plain.program(named: name)), b = try #require(withExtern.program(named: name))
            #expect(!b.functionInfo.isEmpty, "\(name) has no function records")
            #expect(a.functionInfo.map(\.instruction) == b.functionInfo.map(\.instruction))
            #expect(a.globalFunctions.map(\.instruction) == b.globalFunctions.map(\.instruction))
        }
        #expect(withExtern.program(named: "global_untyped_pointer")?.globalFunctions.isEmpty == false)
    }

    @Test func ksymsBecomesFourByteAllocatedVariables() throws {
        let btf = try Self.kernelBTF(Self.parse("../verifier/extern_btf.o"))
        let ksyms = try #require(btf.dataSection(named: Externs.ksymsSection))
        #expect(ksyms.sizeOrType == 8)
        #expect(ksyms.sectionEntries.map(\.offset) == [0, 4])
        #expect(ksyms.sectionEntries.allSatisfy { $0.size == 4 })
        for entry in ksyms.sectionEntries {
            let variable = try #require(btf.type(entry.type))
            #expect(variable.kind == .variable && variable.linkage == 1)
            #expect(btf.size(of: variable.sizeOrType) == 4)
        }
        // The kfuncs themselves stay, as global functions the kernel accepts.
        for name in ["bpf_rcu_read_lock", "bpf_rcu_read_unlock"] {
            let function = try #require(btf.types.first { $0.kind == .function && $0.name == name })
            #expect(function.linkage == 1)
        }
    }

    @Test func kconfigVariablesSitWhereTheMapPutsThem() throws {
        let sample = KconfigSource(release: "6.18.44-fc-v1300",
                                   configuration: String(decoding: Fixture.bytes("../corpus/kfunc/config-sample"), as: UTF8.self))
        let spec = try Self.parse("../corpus/kfunc/externs.o", kconfig: sample)
        let btf = try Self.kernelBTF(spec)
        let kconfig = try #require(btf.dataSection(named: Externs.kconfigSection))
        let map = try #require(spec.maps.first { $0.name.hasSuffix(".kconfig") })
        #expect(kconfig.sizeOrType > 0 && kconfig.sizeOrType <= map.valueSize)
        let offsets = kconfig.sectionEntries.map(\.offset)
        #expect(offsets == offsets.sorted() && !offsets.isEmpty)
        for entry in kconfig.sectionEntries {
            let variable = try #require(btf.type(entry.type))
            #expect(variable.linkage == 1)
            #expect(entry.offset + entry.size <= kconfig.sizeOrType)
        }
        let version = try #require(kconfig.sectionEntries.first { btf.type($0.type)?.name == "CONFIG_NEG" })
        #expect(version.offset == 0)  // the one 8-byte value comes first, as in the map
    }
}
