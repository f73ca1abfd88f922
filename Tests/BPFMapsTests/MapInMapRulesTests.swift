import BPFCore
import BPFMaps
import Testing

/// Every expectation here was measured with raw bpf(2) calls (BPF_MAP_CREATE with inner_map_fd,
/// BPF_MAP_UPDATE_ELEM) on Linux 6.18; nil is success.
struct MapInMapRulesTests {
    private static func errno(_ body: () throws(MapError) -> Void) -> LinuxErrno? {
        do throws(MapError) { try body(); return nil } catch { return error.errno }
    }

    private static func spec(_ type: MapType, _ key: UInt32, _ value: UInt32, _ max: UInt32, _ flags: UInt32 = 0) -> MapSpec {
        MapSpec(name: "m", type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags)
    }

    static let outerCases: [(String, MapSpec, LinuxErrno?)] = [
        ("array of maps ok", spec(.arrayOfMaps, 4, 4, 2), nil),
        ("array of maps value 8", spec(.arrayOfMaps, 4, 8, 2), .EINVAL),
        ("array of maps key 8", spec(.arrayOfMaps, 8, 4, 2), .EINVAL),
        ("array of maps key 0", spec(.arrayOfMaps, 0, 4, 2), .EINVAL),
        ("array of maps max 0", spec(.arrayOfMaps, 4, 4, 0), .EINVAL),
        ("array of maps no_prealloc", spec(.arrayOfMaps, 4, 4, 2, MapFlags.noPrealloc), .EINVAL),
        ("array of maps rdonly_prog", spec(.arrayOfMaps, 4, 4, 2, MapFlags.rdonlyProg), .EINVAL),
        ("array of maps wronly_prog", spec(.arrayOfMaps, 4, 4, 2, MapFlags.wronlyProg), .EINVAL),
        ("array of maps inner_map", spec(.arrayOfMaps, 4, 4, 2, MapInMapRules.innerMapFlag), .EINVAL),
        ("array of maps mmapable", spec(.arrayOfMaps, 4, 4, 2, MapFlags.mmapable), .EINVAL),
        ("array of maps numa", spec(.arrayOfMaps, 4, 4, 2, 0x4), nil),
        ("array of maps rdonly", spec(.arrayOfMaps, 4, 4, 2, MapFlags.rdonly), nil),
        ("array of maps wronly", spec(.arrayOfMaps, 4, 4, 2, MapFlags.wronly), nil),
        ("hash of maps ok", spec(.hashOfMaps, 4, 4, 2), nil),
        ("hash of maps key 8", spec(.hashOfMaps, 8, 4, 2), nil),
        ("hash of maps key 0", spec(.hashOfMaps, 0, 4, 2), .EINVAL),
        ("hash of maps value 8", spec(.hashOfMaps, 4, 8, 2), .EINVAL),
        ("hash of maps value 0", spec(.hashOfMaps, 4, 0, 2), .EINVAL),
        ("hash of maps max 0", spec(.hashOfMaps, 4, 4, 0), .EINVAL),
        ("hash of maps no_prealloc", spec(.hashOfMaps, 4, 4, 2, MapFlags.noPrealloc), nil),
        ("hash of maps rdonly_prog", spec(.hashOfMaps, 4, 4, 2, MapFlags.rdonlyProg), nil),
        ("hash of maps wronly_prog", spec(.hashOfMaps, 4, 4, 2, MapFlags.wronlyProg), nil),
        ("hash of maps zero_seed", spec(.hashOfMaps, 4, 4, 2, 0x40), nil),
        ("hash of maps no_common_lru", spec(.hashOfMaps, 4, 4, 2, MapFlags.noCommonLRU), .EINVAL),
        ("hash of maps inner_map", spec(.hashOfMaps, 4, 4, 2, MapInMapRules.innerMapFlag), .EINVAL),
    ]

    @Test(arguments: outerCases)
    func outerAttributes(_ label: String, _ spec: MapSpec, _ expected: LinuxErrno?) {
        #expect(Self.errno { () throws(MapError) in try MapInMapRules.validateOuter(spec) } == expected, "\(label)")
    }

    static let templateCases: [(String, MapSpec, LinuxErrno?)] = [
        ("array", spec(.array, 4, 8, 4), nil),
        ("array inner_map", spec(.array, 4, 8, 4, MapInMapRules.innerMapFlag), nil),
        ("hash", spec(.hash, 4, 8, 4), nil),
        ("percpu array", spec(.percpuArray, 4, 8, 4), nil),
        ("percpu hash", spec(.percpuHash, 4, 8, 4), nil),
        ("lru hash", spec(.lruHash, 4, 8, 4), nil),
        ("lru percpu hash", spec(.lruPercpuHash, 4, 8, 4), nil),
        ("lpm trie", spec(.lpmTrie, 8, 8, 4, MapFlags.noPrealloc), nil),
        ("ringbuf", spec(.ringbuf, 0, 0, 4096), nil),
        ("queue", spec(.queue, 0, 8, 4), nil),
        ("stack", spec(.stack, 0, 8, 4), nil),
        ("bloom filter", spec(.bloomFilter, 0, 8, 4), nil),
        ("perf event array", spec(.perfEventArray, 4, 4, 4), nil),
        ("prog array", spec(.progArray, 4, 4, 2), .ENOTSUPP),
        ("array of maps", spec(.arrayOfMaps, 4, 4, 2), .EINVAL),
        ("hash of maps", spec(.hashOfMaps, 4, 4, 2), .EINVAL),
    ]

    @Test(arguments: templateCases)
    func innerTemplate(_ label: String, _ template: MapSpec, _ expected: LinuxErrno?) {
        #expect(Self.errno { () throws(MapError) in try MapInMapRules.validateTemplate(template) } == expected, "\(label)")
    }

    static let template = spec(.array, 4, 8, 4)
    static let flexibleTemplate = spec(.array, 4, 8, 4, MapInMapRules.innerMapFlag)
    static let compatibilityCases: [(String, MapSpec, MapSpec, LinuxErrno?)] = [
        ("same shape", template, spec(.array, 4, 8, 4), nil),
        ("other max_entries", template, spec(.array, 4, 8, 8), .EINVAL),
        ("other value size", template, spec(.array, 4, 16, 4), .EINVAL),
        ("other type", template, spec(.hash, 4, 8, 4), .EINVAL),
        ("inner_map flag on the inner only", template, spec(.array, 4, 8, 4, MapInMapRules.innerMapFlag), .EINVAL),
        ("inner_map template, other max_entries", flexibleTemplate,
         spec(.array, 4, 8, 100, MapInMapRules.innerMapFlag), nil),
        ("inner_map template, inner without the flag", flexibleTemplate, spec(.array, 4, 8, 100), .EINVAL),
        ("a map of maps", template, spec(.arrayOfMaps, 4, 4, 2), .EINVAL),
        ("userspace read-only or write-only inner", template, spec(.array, 4, 8, 4, MapFlags.rdonly | MapFlags.wronly), nil),
        ("program read-only inner", template, spec(.array, 4, 8, 4, MapFlags.rdonlyProg), .EINVAL),
        ("NUMA node on the inner", template, spec(.array, 4, 8, 4, 0x4), .EINVAL),
    ]

    @Test(arguments: compatibilityCases)
    func storedInnerMap(_ label: String, _ template: MapSpec, _ inner: MapSpec, _ expected: LinuxErrno?) {
        let got = Self.errno { () throws(MapError) in try MapInMapRules.checkCompatible(template: template, inner: inner) }
        #expect(got == expected, "\(label)")
    }

    @Test func arrayUpdateTakesOnlyAnyWithinRange() {
        func check(_ index: UInt32, _ flags: UInt64) -> LinuxErrno? {
            Self.errno { () throws(MapError) in try MapInMapRules.checkArrayUpdate(index: index, maxEntries: 2, flags: flags) }
        }
        #expect(check(1, MapUpdateFlags.any) == nil)
        #expect(check(1, MapUpdateFlags.noExist) == .EINVAL)
        #expect(check(2, MapUpdateFlags.any) == .E2BIG)
    }
}
