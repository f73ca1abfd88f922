import BPFCore
@testable import BPFMaps
import Testing

/// Every expectation here was measured with raw BPF_MAP_CREATE calls on Linux 6.18 (2 possible CPUs).
struct CreateValidationTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let type: MapType
        let key: UInt32, value: UInt32, max: UInt32, flags: UInt32
        let expected: LinuxErrno?
        var description: String { label }
        init(_ label: String, _ type: MapType, _ key: UInt32, _ value: UInt32, _ max: UInt32, _ expected: LinuxErrno?) {
            self.init(label, type, key, value, max, 0, expected)
        }
        init(_ label: String, _ type: MapType, _ key: UInt32, _ value: UInt32, _ max: UInt32, _ flags: UInt32, _ expected: LinuxErrno?) {
            self.label = label; self.type = type; self.key = key; self.value = value; self.max = max
            self.flags = flags; self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("array ok", .array, 4, 4, 1, nil),
        Case("array key 0", .array, 0, 4, 1, .EINVAL),
        Case("array key 8", .array, 8, 4, 1, .EINVAL),
        Case("array value 0", .array, 4, 0, 1, .EINVAL),
        Case("array max 0", .array, 4, 4, 0, .EINVAL),
        Case("array no_prealloc", .array, 4, 4, 1, MapFlags.noPrealloc, .EINVAL),
        Case("array mmapable", .array, 4, 4, 1, MapFlags.mmapable, nil),
        Case("array inner_map", .array, 4, 4, 1, 0x1000, nil),
        Case("array numa", .array, 4, 4, 1, 0x4, nil),
        Case("array flag 0x20", .array, 4, 4, 1, 0x20, .EINVAL),
        Case("array rdonly|wronly", .array, 4, 4, 1, 0x18, .EINVAL),
        Case("array rdonly_prog|wronly_prog", .array, 4, 4, 1, 0x180, .EINVAL),
        Case("array value INT_MAX+1", .array, 4, 1 << 31, 1, .E2BIG),
        Case("array value 4 MiB + 1", .array, 4, (4 << 20) + 1, 1, nil),
        Case("percpu array mmapable", .percpuArray, 4, 4, 1, MapFlags.mmapable, .EINVAL),
        Case("percpu array numa", .percpuArray, 4, 4, 1, 0x4, .EINVAL),
        Case("percpu array value 32K", .percpuArray, 4, 32768, 1, nil),
        Case("percpu array value 32K+1", .percpuArray, 4, 32769, 1, .E2BIG),
        Case("prog array ok", .progArray, 4, 4, 4, nil),
        Case("prog array value 8", .progArray, 4, 8, 4, .EINVAL),
        Case("prog array key 8", .progArray, 8, 4, 4, .EINVAL),
        Case("prog array mmapable", .progArray, 4, 4, 4, MapFlags.mmapable, .EINVAL),
        Case("prog array rdonly_prog", .progArray, 4, 4, 4, MapFlags.rdonlyProg, .EINVAL),
        Case("prog array max 0", .progArray, 4, 4, 0, .EINVAL),
        Case("hash ok", .hash, 4, 4, 1, nil),
        Case("hash key 0", .hash, 0, 4, 1, .EINVAL),
        Case("hash value 0", .hash, 4, 0, 1, .EINVAL),
        Case("hash max 0", .hash, 4, 4, 0, .EINVAL),
        Case("hash no_common_lru", .hash, 4, 4, 1, MapFlags.noCommonLRU, .EINVAL),
        Case("hash mmapable", .hash, 4, 4, 1, MapFlags.mmapable, .EINVAL),
        Case("hash zero_seed", .hash, 4, 4, 1, 0x40, nil),
        Case("hash key 4096", .hash, 4096, 4, 1, nil),
        Case("hash key+value largest", .hash, 4, 4_194_251, 1, MapFlags.noPrealloc, nil),
        Case("hash key+value too large", .hash, 4, 4_194_252, 1, MapFlags.noPrealloc, .E2BIG),
        Case("hash max 2^27", .hash, 4, 4, 1 << 27, MapFlags.noPrealloc, nil),
        Case("hash max 2^27+1", .hash, 4, 4, (1 << 27) + 1, MapFlags.noPrealloc, .E2BIG),
        Case("percpu hash value 32K+1", .percpuHash, 4, 32769, 1, .E2BIG),
        Case("percpu hash numa", .percpuHash, 4, 4, 1, 0x4, .EINVAL),
        Case("lru no_prealloc", .lruHash, 4, 4, 4, MapFlags.noPrealloc, .ENOTSUPP),
        Case("lru no_common_lru", .lruHash, 4, 4, 4, MapFlags.noCommonLRU, nil),
        Case("lru percpu no_common_lru", .lruPercpuHash, 4, 4, 4, MapFlags.noCommonLRU, nil),
        Case("lru percpu numa", .lruPercpuHash, 4, 4, 4, 0x4, .EINVAL),
        Case("lru percpu value 32K+1", .lruPercpuHash, 4, 32769, 1, .E2BIG),
        Case("lru key 0", .lruHash, 0, 4, 4, .EINVAL),
        Case("lpm ok", .lpmTrie, 8, 4, 4, MapFlags.noPrealloc, nil),
        Case("lpm preallocated", .lpmTrie, 8, 4, 4, .EINVAL),
        Case("lpm key 4", .lpmTrie, 4, 4, 4, MapFlags.noPrealloc, .EINVAL),
        Case("lpm key 5", .lpmTrie, 5, 4, 4, MapFlags.noPrealloc, nil),
        Case("lpm key 260", .lpmTrie, 260, 4, 4, MapFlags.noPrealloc, nil),
        Case("lpm key 261", .lpmTrie, 261, 4, 4, MapFlags.noPrealloc, .EINVAL),
        Case("lpm value 0", .lpmTrie, 8, 0, 4, MapFlags.noPrealloc, .EINVAL),
        Case("lpm value largest", .lpmTrie, 8, 4_194_024, 4, MapFlags.noPrealloc, nil),
        Case("lpm value too large", .lpmTrie, 8, 4_194_025, 4, MapFlags.noPrealloc, .EINVAL),
        Case("lpm max 0", .lpmTrie, 8, 4, 0, MapFlags.noPrealloc, .EINVAL),
        Case("lpm mmapable", .lpmTrie, 8, 4, 4, MapFlags.noPrealloc | MapFlags.mmapable, .EINVAL),
        Case("lpm no_common_lru", .lpmTrie, 8, 4, 4, MapFlags.noPrealloc | MapFlags.noCommonLRU, .EINVAL),
        Case("ringbuf ok", .ringbuf, 0, 0, 4096, nil),
        Case("ringbuf key 4", .ringbuf, 4, 0, 4096, .EINVAL),
        Case("ringbuf value 4", .ringbuf, 0, 4, 4096, .EINVAL),
        Case("ringbuf 4097", .ringbuf, 0, 0, 4097, .EINVAL),
        Case("ringbuf 2048", .ringbuf, 0, 0, 2048, .EINVAL),
        Case("ringbuf 12288", .ringbuf, 0, 0, 12288, .EINVAL),
        Case("ringbuf 0", .ringbuf, 0, 0, 0, .EINVAL),
        Case("ringbuf no_prealloc", .ringbuf, 0, 0, 4096, MapFlags.noPrealloc, .EINVAL),
        Case("ringbuf rdonly", .ringbuf, 0, 0, 4096, MapFlags.rdonly, .EINVAL),
        Case("ringbuf mmapable", .ringbuf, 0, 0, 4096, MapFlags.mmapable, .EINVAL),
        Case("ringbuf numa", .ringbuf, 0, 0, 4096, 0x4, nil),
        Case("unknown type 99", MapType(rawValue: 99), 4, 4, 1, .EINVAL),
    ]

    @Test(arguments: cases)
    func create(_ c: Case) {
        let spec = MapSpec(name: "m", type: c.type, keySize: c.key, valueSize: c.value, maxEntries: c.max, flags: c.flags)
        #expect(errno { try spec.validate(possibleCPUs: 2) } == c.expected)
    }

    @Test func createBuildsEachType() throws {
        #expect(try make(.array, key: 4, value: 4, max: 1) is ArrayMap)
        #expect(try make(.percpuArray, key: 4, value: 4, max: 1) is ArrayMap)
        #expect(try make(.progArray, key: 4, value: 4, max: 1) is ProgramArrayMap)
        for type in [MapType.hash, .percpuHash, .lruHash, .lruPercpuHash] {
            #expect(try make(type, key: 4, value: 4, max: 1) is HashMap)
        }
        #expect(try make(.lpmTrie, key: 8, value: 4, max: 1, flags: MapFlags.noPrealloc) is LPMTrieMap)
        #expect(try make(.ringbuf, key: 0, value: 0, max: 4096) is RingBufferMap)
        #expect(try make(.perfEventArray, key: 4, value: 4, max: 1) is PerfEventArrayMap)
    }

    @Test func hugeArrayIsENOMEM() {
        // Linux: ENOMEM for 2^32-1 entries of 8 bytes; here the address space runs out instead.
        #expect(errno { try make(.array, key: 4, value: 1 << 30, max: UInt32.max) } == .ENOMEM)
    }

    /// A perf event array takes a pointer a slot at once; the kernel's limit is its memory
    /// (2^31 - 1 slots allocated 16 GiB on a 24 GiB machine, 2^32 - 1 were ENOMEM). Not asked of
    /// the kernel in tests: a large enough machine would really allocate it.
    @Test func hugePerfEventArrayIsENOMEM() throws {
        #expect(errno { try make(.perfEventArray, key: 4, value: 4, max: UInt32.max) } == .ENOMEM)
        #expect(try make(.perfEventArray, key: 4, value: 4, max: UInt32(Int32.max)) is PerfEventArrayMap)
    }
}
