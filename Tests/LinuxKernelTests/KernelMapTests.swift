import BPFCore
@testable import LinuxKernel
import TCX
import Testing

/// Maps through bpf(2): every map type this kernel supports, the element commands with their
/// errno, and programs that refer to maps the way the object loader leaves them.
@Suite(needsKernel)
struct KernelMapTests {
    typealias Support = KernelTestSupport

    static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func le64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    /// The smallest frame BPF_PROG_TEST_RUN takes for SCHED_CLS.
    static let frame = [UInt8](repeating: 0, count: 14)

    static let everyType: [MapSpec] = [
        MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 16),
        MapSpec(name: "array", type: .array, keySize: 4, valueSize: 8, maxEntries: 4),
        MapSpec(name: "pcpu_array", type: .percpuArray, keySize: 4, valueSize: 4, maxEntries: 4),
        MapSpec(name: "pcpu_hash", type: .percpuHash, keySize: 4, valueSize: 12, maxEntries: 4),
        MapSpec(name: "lru", type: .lruHash, keySize: 4, valueSize: 4, maxEntries: 8),
        MapSpec(name: "lru_pcpu", type: .lruPercpuHash, keySize: 4, valueSize: 4, maxEntries: 8),
        MapSpec(name: "lpm", type: .lpmTrie, keySize: 8, valueSize: 4, maxEntries: 16, flags: MapFlags.noPrealloc),
        MapSpec(name: "progs", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 4),
        MapSpec(name: "events", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
    ]

    @Test(arguments: everyType)
    func everyMapTypeIsCreatedAsSpecified(_ spec: MapSpec) throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(spec)
            let info = try world.mapInfo(map)
            #expect(info.id != 0)
            #expect(info.type == spec.type && info.name == spec.name && info.flags == spec.flags)
            #expect(info.keySize == spec.keySize && info.valueSize == spec.valueSize)
            #expect(info.maxEntries == spec.maxEntries)
            #expect(try world.kind(of: map) == .map)
            try world.close(map)
            // A closed fd number may be reused at once by a test running in parallel (fds are
            // process-wide): the world itself must refuse the handle it no longer hands out.
            #expect(Support.errno { try world.close(map) } == .EBADF)
        }
    }

    @Test func mapNamesAreSanitisedAndRefusalsNameTheMap() throws {
        try Support.withWorld { (world) throws in
            let long = try world.createMap(MapSpec(name: "my-map.with a very long name", type: .array,
                                                   keySize: 4, valueSize: 4, maxEntries: 1))
            #expect(try world.mapInfo(long).name == "my_map.with_a_v")
            do {
                _ = try world.createMap(MapSpec(name: "trie", type: .lpmTrie, keySize: 8, valueSize: 4, maxEntries: 4))
                Issue.record("an LPM trie without BPF_F_NO_PREALLOC was created")
            } catch let error as TCXError {
                #expect(error.errno == .EINVAL)
                #expect(error.reason.contains("BPF_MAP_CREATE 'trie'"))
            }
            #expect(Support.errno {
                try world.createMap(MapSpec(name: "zero", type: .hash, keySize: 0, valueSize: 4, maxEntries: 4))
            } == .EINVAL)
        }
    }

    @Test func hashUpdateFlagsAndErrno() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "h", type: .hash, keySize: 4, valueSize: 8, maxEntries: 2))
            let one = Self.le32(1), two = Self.le32(2), three = Self.le32(3)
            #expect(Support.errno { try world.lookup(map: map, key: one) } == .ENOENT)
            #expect(Support.errno { try world.update(map: map, key: one, value: Self.le64(1), flags: MapUpdateFlags.exist) } == .ENOENT)
            try world.update(map: map, key: one, value: Self.le64(10), flags: MapUpdateFlags.noExist)
            #expect(Support.errno { try world.update(map: map, key: one, value: Self.le64(11), flags: MapUpdateFlags.noExist) } == .EEXIST)
            try world.update(map: map, key: one, value: Self.le64(12), flags: MapUpdateFlags.exist)
            #expect(try world.lookup(map: map, key: one) == Self.le64(12))
            try world.update(map: map, key: two, value: Self.le64(20), flags: MapUpdateFlags.any)
            #expect(Support.errno { try world.update(map: map, key: three, value: Self.le64(30), flags: MapUpdateFlags.any) } == .E2BIG)
            // Replacing an element of a full map needs no new room.
            try world.update(map: map, key: two, value: Self.le64(21), flags: MapUpdateFlags.any)
            #expect(Support.errno { try world.update(map: map, key: one, value: Self.le64(1), flags: 3) } == .EINVAL)
            #expect(Support.errno { try world.update(map: map, key: one, value: Self.le64(1), flags: 0x10) } == .EINVAL)
            #expect(Support.errno { try world.update(map: map, key: one, value: Self.le64(1), flags: MapUpdateFlags.lock) } == .EINVAL)

            var keys: [[UInt8]] = []
            var cursor = try world.nextKey(map: map, after: nil)
            while let key = cursor {
                keys.append(key)
                cursor = try world.nextKey(map: map, after: key)
            }
            #expect(Set(keys) == [one, two])
            // A missing key restarts the walk at the first key, as the kernel's hash does.
            #expect(try world.nextKey(map: map, after: three) == keys.first)

            try world.delete(map: map, key: one)
            #expect(Support.errno { try world.delete(map: map, key: one) } == .ENOENT)
            #expect(Support.errno { try world.lookup(map: map, key: [1, 0]) } == .EINVAL)
            #expect(Support.errno { try world.update(map: map, key: one, value: [1], flags: 0) } == .EINVAL)
        }
    }

    @Test func arrayElementsAlwaysExist() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "a", type: .array, keySize: 4, valueSize: 4, maxEntries: 3))
            #expect(try world.lookup(map: map, key: Self.le32(2)) == [0, 0, 0, 0])
            #expect(Support.errno { try world.lookup(map: map, key: Self.le32(3)) } == .ENOENT)
            #expect(Support.errno { try world.update(map: map, key: Self.le32(0), value: Self.le32(1), flags: MapUpdateFlags.noExist) } == .EEXIST)
            #expect(Support.errno { try world.update(map: map, key: Self.le32(3), value: Self.le32(1), flags: 0) } == .E2BIG)
            try world.update(map: map, key: Self.le32(1), value: Self.le32(7), flags: MapUpdateFlags.exist)
            #expect(try world.lookup(map: map, key: Self.le32(1)) == Self.le32(7))
            #expect(Support.errno { try world.delete(map: map, key: Self.le32(1)) } == .EINVAL)
            #expect(try world.nextKey(map: map, after: nil) == Self.le32(0))
            #expect(try world.nextKey(map: map, after: Self.le32(1)) == Self.le32(2))
            #expect(try world.nextKey(map: map, after: Self.le32(2)) == nil)
            #expect(try world.nextKey(map: map, after: Self.le32(9)) == Self.le32(0))
        }
    }

    @Test func perCPUValuesHoldOneRoundedSlotPerPossibleCPU() throws {
        try Support.withWorld { (world) throws in
            let array = try world.createMap(MapSpec(name: "pa", type: .percpuArray, keySize: 4, valueSize: 4, maxEntries: 2))
            let slots = PossibleCPUs.count
            #expect(try world.lookup(map: array, key: Self.le32(0)).count == 8 * slots)
            var value: [UInt8] = []
            for cpu in 0..<slots { value += Self.le64(UInt64(100 + cpu)) }
            try world.update(map: array, key: Self.le32(1), value: value, flags: 0)
            #expect(try world.lookup(map: array, key: Self.le32(1)) == value)
            #expect(Support.errno { try world.update(map: array, key: Self.le32(1), value: Self.le32(1), flags: 0) } == .EINVAL)

            let hash = try world.createMap(MapSpec(name: "ph", type: .percpuHash, keySize: 4, valueSize: 12, maxEntries: 2))
            let wide = [UInt8](repeating: 0xab, count: 16 * slots)
            try world.update(map: hash, key: Self.le32(5), value: wide, flags: MapUpdateFlags.noExist)
            #expect(try world.lookup(map: hash, key: Self.le32(5)).count == 16 * slots)
        }
    }

    @Test func lruHashEvictsInsteadOfRefusing() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "lru", type: .lruHash, keySize: 4, valueSize: 4, maxEntries: 8))
            for key: UInt32 in 0..<64 { try world.update(map: map, key: Self.le32(key), value: Self.le32(key), flags: 0) }
            var count = 0
            var cursor = try world.nextKey(map: map, after: nil)
            while let key = cursor {
                count += 1
                cursor = try world.nextKey(map: map, after: key)
            }
            #expect(count > 0 && count <= 64)
            #expect(try world.lookup(map: map, key: Self.le32(63)) == Self.le32(63))
        }
    }

    @Test func lpmTrieFindsTheLongestPrefix() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "routes", type: .lpmTrie, keySize: 8, valueSize: 4,
                                                  maxEntries: 8, flags: MapFlags.noPrealloc))
            func key(_ prefix: UInt32, _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] {
                Self.le32(prefix) + [a, b, c, d]
            }
            try world.update(map: map, key: key(8, 10, 0, 0, 0), value: Self.le32(1), flags: 0)
            try world.update(map: map, key: key(16, 10, 1, 0, 0), value: Self.le32(2), flags: 0)
            #expect(try world.lookup(map: map, key: key(32, 10, 1, 2, 3)) == Self.le32(2))
            #expect(try world.lookup(map: map, key: key(32, 10, 2, 0, 0)) == Self.le32(1))
            #expect(Support.errno { try world.lookup(map: map, key: key(32, 11, 0, 0, 0)) } == .ENOENT)
            #expect(Support.errno { try world.update(map: map, key: key(33, 0, 0, 0, 0), value: Self.le32(3), flags: 0) } == .EINVAL)
            try world.delete(map: map, key: key(16, 10, 1, 0, 0))
            #expect(try world.lookup(map: map, key: key(32, 10, 1, 2, 3)) == Self.le32(1))
        }
    }

    @Test func progArrayTakesProgramHandles() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "jumps", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 2))
            let program = try world.loadProgram(.returning(3, name: "target"))
            try world.update(map: map, key: Self.le32(0), value: Self.le32(program.rawValue), flags: 0)
            // User space reads a prog array's slot as the program's id.
            #expect(try world.lookup(map: map, key: Self.le32(0)) == Self.le32(try world.programInfo(program).id))
            #expect(Support.errno { try world.lookup(map: map, key: Self.le32(1)) } == .ENOENT)
            #expect(Support.errno { try world.update(map: map, key: Self.le32(1), value: Self.le32(map.rawValue), flags: 0) } == .EINVAL)
            #expect(Support.errno { try world.update(map: map, key: Self.le32(1), value: Self.le32(9999), flags: 0) } == .EBADF)
            try world.delete(map: map, key: Self.le32(0))
            #expect(Support.errno { try world.delete(map: map, key: Self.le32(0)) } == .ENOENT)
        }
    }

    @Test func ringBufferHasNoElementsForUserSpace() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "rb", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096))
            #expect(Support.errno { try world.lookup(map: map, key: []) } == .ENOTSUPP)
            #expect(Support.errno { try world.update(map: map, key: [], value: [], flags: 0) } == .ENOTSUPP)
            #expect(Support.errno {
                try world.createMap(MapSpec(name: "odd", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 1000))
            } == .EINVAL)
        }
    }
}

/// Programs that refer to maps by index (BPF_PSEUDO_MAP_IDX / MAP_IDX_VALUE), and map handles
/// through freeze, pins and dup.
extension KernelMapTests {
    /// `lddw dst, map` in the object loader's index form; `offset` goes in the second half.
    static func mapReference(dst: UInt8, source: PseudoSource, index: Int32, offset: Int32 = 0) -> [Instruction] {
        [Instruction(opcode: 0x18, dst: dst, src: source.rawValue, imm: index), Instruction(opcode: 0, imm: offset)]
    }

    /// `*(u32 *)(fp - 4) = key; r0 = lookup(maps[index], fp - 4); return r0 ? *(u32 *)r0 : 0`.
    static func lookupProgram(index: Int32, key: Int32) -> ProgramSpec {
        let body: [Instruction] = [Instruction(opcode: 0x62, dst: 10, offset: -4, imm: key)]   // st [r10-4], key
            + [Instruction(opcode: 0xbf, dst: 2, src: 10),                                     // r2 = r10
               Instruction(opcode: 0x07, dst: 2, imm: -4)]                                     // r2 += -4
            + mapReference(dst: 1, source: .mapIndex, index: index)
            + [Instruction(opcode: 0x85, imm: 1),                                              // call map_lookup_elem
               Instruction(opcode: 0x15, dst: 0, offset: 2, imm: 0),                          // if r0 == 0 goto out
               Instruction(opcode: 0x61, dst: 0, src: 0),                                      // r0 = *(u32 *)r0
               Instruction(opcode: 0x95),                                                      // exit
               Instruction(opcode: 0xb7, dst: 0, imm: 0),                                      // out: r0 = 0
               Instruction(opcode: 0x95)]
        return ProgramSpec(name: "lookup", instructions: Instruction.encode(body))
    }

    @Test func aProgramReadsAValueStoredFromUserSpace() throws {
        try Support.withWorld { (world) throws in
            let unused = try world.createMap(MapSpec(name: "unused", type: .array, keySize: 4, valueSize: 4, maxEntries: 1))
            let map = try world.createMap(MapSpec(name: "values", type: .hash, keySize: 4, valueSize: 4, maxEntries: 4))
            try world.update(map: map, key: Self.le32(7), value: Self.le32(0xbeef), flags: 0)
            let found = try world.loadProgram(Self.lookupProgram(index: 1, key: 7), maps: [unused, map])
            #expect(try world.testRun(found, packet: Self.frame, repeat: 1).returnValue == 0xbeef)
            let missing = try world.loadProgram(Self.lookupProgram(index: 1, key: 8), maps: [unused, map])
            #expect(try world.testRun(missing, packet: Self.frame, repeat: 1).returnValue == 0)
            try world.update(map: map, key: Self.le32(7), value: Self.le32(41), flags: MapUpdateFlags.exist)
            #expect(try world.testRun(found, packet: Self.frame, repeat: 1).returnValue == 41)
        }
    }

    @Test func globalDataIsReadThroughAValueReference() throws {
        try Support.withWorld { (world) throws in
            let data = try world.createMap(MapSpec(name: "obj.rodata", type: .array, keySize: 4, valueSize: 12,
                                                   maxEntries: 1, initialValue: Self.le32(1) + Self.le32(42)))
            #expect(try world.lookup(map: data, key: Self.le32(0)) == Self.le32(1) + Self.le32(42) + Self.le32(0))
            try world.freeze(map: data)
            // r1 = &value + 4; r0 = *(u32 *)r1; exit
            let body = Self.mapReference(dst: 1, source: .mapIndexValue, index: 0, offset: 4)
                + [Instruction(opcode: 0x61, dst: 0, src: 1), Instruction(opcode: 0x95)]
            let program = try world.loadProgram(ProgramSpec(name: "global", instructions: Instruction.encode(body)),
                                                maps: [data])
            #expect(try world.testRun(program, packet: Self.frame, repeat: 1).returnValue == 42)
        }
    }

    @Test func aTailCallGoesThroughTheProgArray() throws {
        try Support.withWorld { (world) throws in
            let jumps = try world.createMap(MapSpec(name: "jumps", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 1))
            let target = try world.loadProgram(.returning(3, name: "target"))
            // tail_call(ctx, jumps, 0); falling through returns 1.
            let body = Self.mapReference(dst: 2, source: .mapIndex, index: 0)
                + [Instruction(opcode: 0xb7, dst: 3, imm: 0), Instruction(opcode: 0x85, imm: 12),
                   Instruction(opcode: 0xb7, dst: 0, imm: 1), Instruction(opcode: 0x95)]
            let caller = try world.loadProgram(ProgramSpec(name: "caller", instructions: Instruction.encode(body)),
                                               maps: [jumps])
            #expect(try world.testRun(caller, packet: Self.frame, repeat: 1).returnValue == 1)
            try world.update(map: jumps, key: Self.le32(0), value: Self.le32(target.rawValue), flags: 0)
            #expect(try world.testRun(caller, packet: Self.frame, repeat: 1).returnValue == 3)
            try world.delete(map: jumps, key: Self.le32(0))
            #expect(try world.testRun(caller, packet: Self.frame, repeat: 1).returnValue == 1)
        }
    }

    @Test func anInitialValueLongerThanTheValueIsRefused() throws {
        try Support.withWorld { (world) throws in
            #expect(Support.errno {
                try world.createMap(MapSpec(name: "big.data", type: .array, keySize: 4, valueSize: 4, maxEntries: 1,
                                            initialValue: [UInt8](repeating: 1, count: 8)))
            } == .EINVAL)
        }
    }

    @Test func aMapIndexOutsideTheListIsRefused() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "only", type: .hash, keySize: 4, valueSize: 4, maxEntries: 4))
            do {
                _ = try world.loadProgram(Self.lookupProgram(index: 1, key: 0), maps: [map])
                Issue.record("a program referring to map index 1 of 1 loaded")
            } catch let error as TCXError {
                #expect(error.errno == .EINVAL)
                #expect(error.reason.contains("map index 1"))
            }
        }
    }

    @Test func aFrozenMapRefusesUserSpaceWrites() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "frozen", type: .array, keySize: 4, valueSize: 4, maxEntries: 2))
            try world.update(map: map, key: Self.le32(0), value: Self.le32(5), flags: 0)
            try world.freeze(map: map)
            #expect(Support.errno { try world.update(map: map, key: Self.le32(0), value: Self.le32(6), flags: 0) } == .EPERM)
            // A frozen map's fd has lost write access, which the kernel checks before "already frozen".
            #expect(Support.errno { try world.freeze(map: map) } == .EPERM)
            #expect(try world.lookup(map: map, key: Self.le32(0)) == Self.le32(5))
        }
    }

    @Test func mapHandlesPinDuplicateAndClose() throws {
        try Support.withWorld { (world) throws in
            let map = try world.createMap(MapSpec(name: "pinned", type: .hash, keySize: 4, valueSize: 4, maxEntries: 4))
            let id = try world.mapInfo(map).id
            try world.update(map: map, key: Self.le32(1), value: Self.le32(2), flags: 0)
            try world.pin(map, at: PinPath("pinned_map"))
            let copy = try world.duplicate(map)
            try world.close(map)
            #expect(try world.mapInfo(copy).id == id)
            try world.close(copy)

            let again = try world.getPinned(PinPath("pinned_map"))
            #expect(try world.kind(of: again) == .map)
            #expect(try world.mapInfo(again).id == id)
            #expect(try world.lookup(map: again, key: Self.le32(1)) == Self.le32(2))
            #expect(Support.errno { try world.programInfo(again) } == .EINVAL)
            try world.unpin(PinPath("pinned_map"))
            #expect(Support.errno { try world.getPinned(PinPath("pinned_map")) } == .ENOENT)
            try world.close(again)
            // fds are process-wide and tests run in parallel: a closed number may be reused at
            // once, so the closed handle is the one that never exists.
            #expect(Support.errno { try world.lookup(map: .invalid, key: Self.le32(1)) } == .EBADF)
        }
    }

    @Test func elementCommandsOnAProgramAreRefused() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(0, name: "notamap"))
            #expect(Support.errno { try world.lookup(map: program, key: Self.le32(0)) } == .EINVAL)
            #expect(Support.errno { try world.mapInfo(program) } == .EINVAL)
        }
    }
}

/// The pieces of the map support that need no kernel.
struct KernelMapTestsWithoutKernel {
    @Test func possibleCPUListsAreCounted() {
        #expect(PossibleCPUs.parse("0-3\n") == 4)
        #expect(PossibleCPUs.parse("0\n") == 1)
        #expect(PossibleCPUs.parse("0,2-5") == 5)
        #expect(PossibleCPUs.parse("") == nil)
        #expect(PossibleCPUs.parse("3-1") == nil)
        #expect(PossibleCPUs.count >= 1)
    }

    @Test func indexReferencesBecomeFDReferences() throws {
        let program: [Instruction] = KernelMapTests.mapReference(dst: 1, source: .mapIndex, index: 1)
            + KernelMapTests.mapReference(dst: 2, source: .mapIndexValue, index: 0, offset: 16)
            + [Instruction(opcode: 0x18, dst: 3, imm: 1), Instruction(opcode: 0, imm: 0), Instruction(opcode: 0x95)]
        let maps = [Handle(rawValue: 40), Handle(rawValue: 41)]
        let bytes = try MapReferences.resolve(Instruction.encode(program), maps: maps, program: "p")
        let expected: [Instruction] = [
            Instruction(opcode: 0x18, dst: 1, src: 1, imm: 41), Instruction(opcode: 0),
            Instruction(opcode: 0x18, dst: 2, src: 2, imm: 40), Instruction(opcode: 0, imm: 16),
            Instruction(opcode: 0x18, dst: 3, imm: 1), Instruction(opcode: 0), Instruction(opcode: 0x95),
        ]
        #expect(Instruction.decode(bytes) == expected)
        // Already resolved references and plain 64-bit constants are left alone.
        #expect(try MapReferences.resolve(bytes, maps: [], program: "p") == bytes)
        let bad = Instruction.encode(KernelMapTests.mapReference(dst: 1, source: .mapIndex, index: 2))
        #expect(throws: TCXError.self) { try MapReferences.resolve(bad, maps: maps, program: "p") }
    }

    @Test func mapAttrFieldsSitAtTheKernelsOffsets() {
        #expect(BPFAttr.MapCreate.maxEntries.offset == 12 && BPFAttr.MapCreate.mapFlags.offset == 16)
        #expect(BPFAttr.MapCreate.mapName.offset == 28 && BPFAttr.MapCreate.mapName.count == 16)
        #expect(BPFAttr.MapElem.key.offset == 8 && BPFAttr.MapElem.value.offset == 16)
        #expect(BPFAttr.MapElem.flags.offset == 24 && BPFAttr.MapElem.flags.width == 8)
        #expect(MapInfoLayout.name.offset == 24 && MapInfoLayout.mapFlags.offset == 20)
        #expect(BPFCommand.mapFreeze.rawValue == 22 && BPFCommand.mapGetNextKey.rawValue == 4)
    }
}
