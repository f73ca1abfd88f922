import BPFCore
@testable import BPFMaps
import Testing

/// Errnos verified with raw bpf(2) calls on Linux 6.18.
struct ArrayMapTests {
    @Test func updateFlagsAndIndex() throws {
        let map = try make(.array, key: 4, value: 4, max: 4)
        #expect(errno { try map.update(key: u32(4), value: u32(1)) } == .E2BIG)
        #expect(errno { try map.update(key: u32(4), value: u32(1), flags: 3) } == .EINVAL)
        #expect(errno { try map.update(key: u32(0), value: u32(1), flags: 3) } == .EINVAL)
        #expect(errno { try map.update(key: u32(0), value: u32(1), flags: MapUpdateFlags.noExist) } == .EEXIST)
        #expect(errno { try map.update(key: u32(9), value: u32(1), flags: MapUpdateFlags.noExist) } == .E2BIG)
        #expect(errno { try map.update(key: u32(0), value: u32(1), flags: MapUpdateFlags.lock) } == .EINVAL)
        #expect(errno { try map.update(key: u32(0), value: u32(1), flags: 8) } == .EINVAL)
        try map.update(key: u32(0), value: u32(7), flags: MapUpdateFlags.exist)
        #expect(try map.lookup(key: u32(0)) == u32(7))
        #expect(try map.lookup(key: u32(1)) == u32(0))
    }

    @Test func lookupAndDelete() throws {
        let map = try make(.array, key: 4, value: 4, max: 4)
        #expect(errno { try map.lookup(key: u32(4)) } == .ENOENT)
        #expect(errno { try map.lookup(key: u32(0), flags: 1) } == .EINVAL)
        #expect(errno { try map.lookup(key: u32(0), flags: MapUpdateFlags.lock) } == .EINVAL)
        #expect(errno { try map.delete(key: u32(0)) } == .EINVAL)
        #expect(errno { try map.delete(key: u32(9)) } == .EINVAL)
        #expect(errno { try map.delete(key: u32(0), flags: 1) } == .EINVAL)
        // Not a kernel case: a byte array of the wrong size.
        #expect(errno { try map.lookup(key: [1, 2]) } == .EINVAL)
        #expect(errno { try map.update(key: u32(0), value: [1]) } == .EINVAL)
    }

    @Test func nextKeyWalksIndices() throws {
        let map = try make(.array, key: 4, value: 4, max: 4)
        #expect(try map.nextKey(after: nil) == u32(0))
        #expect(try map.nextKey(after: u32(2)) == u32(3))
        #expect(errno { try map.nextKey(after: u32(3)) } == .ENOENT)
        #expect(try map.nextKey(after: u32(100)) == u32(0))
        #expect(try map.dump().map(\.key) == [u32(0), u32(1), u32(2), u32(3)])
    }

    @Test func permissionsAndFreeze() throws {
        let map = try make(.array, key: 4, value: 4, max: 4)
        try map.update(key: u32(0), value: u32(1))
        try map.freeze()
        #expect(map.isFrozen)
        #expect(errno { try map.freeze() } == .EPERM)
        #expect(errno { try map.update(key: u32(0), value: u32(1)) } == .EPERM)
        #expect(errno { try map.update(key: u32(9), value: u32(1)) } == .EPERM)
        #expect(try map.lookup(key: u32(0)) == u32(1))
        // Programs may still write a frozen map.
        var one: UInt32 = 0, two: UInt32 = 2
        #expect(map.updateFromProgram(key: &one, value: &two, flags: 0, cpu: 0) == nil)

        let readOnly = try make(.array, key: 4, value: 4, max: 4, flags: MapFlags.rdonly)
        #expect(errno { try readOnly.update(key: u32(0), value: u32(1)) } == .EPERM)
        #expect(errno { try readOnly.update(key: u32(0), value: u32(1), flags: 3) } == .EPERM)
        #expect(errno { try readOnly.delete(key: u32(0)) } == .EPERM)
        #expect(errno { try readOnly.freeze() } == .EPERM)
        #expect(try readOnly.lookup(key: u32(0)) == u32(0))
        #expect(try readOnly.nextKey(after: nil) == u32(0))

        let writeOnly = try make(.array, key: 4, value: 4, max: 4, flags: MapFlags.wronly)
        try writeOnly.update(key: u32(0), value: u32(1))
        #expect(errno { try writeOnly.lookup(key: u32(0)) } == .EPERM)
        #expect(errno { try writeOnly.lookup(key: u32(0), flags: 1) } == .EINVAL)
        #expect(errno { try writeOnly.nextKey(after: nil) } == .EPERM)
        #expect(errno { try writeOnly.delete(key: u32(0)) } == .EINVAL)

        let progReadOnly = try make(.array, key: 4, value: 4, max: 1, flags: MapFlags.rdonlyProg)
        #expect(!progReadOnly.programWritable)
    }

    @Test func programSeesStableValuePointers() throws {
        let map = try #require(try make(.array, key: 4, value: 12, max: 3) as? ArrayMap)
        var key: UInt32 = 2
        let p = try #require(map.lookupForProgram(key: &key, cpu: 1))
        #expect(p == map.valueBaseAddress(index: 2))
        #expect(map.elementStride == 16)
        p.storeBytes(of: 0xAABB_CCDD, as: UInt32.self)
        #expect(try map.lookup(key: u32(2)) == u32(0xAABB_CCDD) + [UInt8](repeating: 0, count: 8))
        key = 3
        #expect(map.lookupForProgram(key: &key, cpu: 0) == nil)
        var value = [UInt8](repeating: 9, count: 12)
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 0) == .E2BIG)
        key = 0
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 1, cpu: 0) == .EEXIST)
        #expect(map.deleteFromProgram(key: &key, cpu: 0) == .EINVAL)
        #expect(map.valueBaseAddress(index: 3) == nil)
    }

    @Test func globalDataStartsWithInitialValue() throws {
        let spec = MapSpec(name: ".data", type: .array, keySize: 4, valueSize: 6, maxEntries: 1, initialValue: [1, 2, 3])
        let map = try #require(try BPFMap.create(spec, possibleCPUs: 1) as? ArrayMap)
        #expect(try map.lookup(key: u32(0)) == [1, 2, 3, 0, 0, 0])
        let base = try #require(map.valueBaseAddress(index: 0))
        #expect(map.valueByteCount == 6)
        #expect(base.load(fromByteOffset: 1, as: UInt8.self) == 2)
        #expect(Int(bitPattern: base) % 4096 == 0)
        let tooLong = MapSpec(name: ".data", type: .array, keySize: 4, valueSize: 2, maxEntries: 1, initialValue: [1, 2, 3])
        #expect(errno { try BPFMap.create(tooLong, possibleCPUs: 1) } == .EINVAL)
    }

    @Test func percpuLayout() throws {
        // Linux 6.18, 2 CPUs, value size 4: userspace sees 2 copies at an 8-byte stride.
        let map = try #require(try make(.percpuArray, key: 4, value: 4, max: 2, cpus: 3) as? ArrayMap)
        #expect(map.userValueSize == 24)
        try map.update(key: u32(1), value: u64(0x11) + u64(0x22) + u64(0x33))
        #expect(try map.lookup(key: u32(1)) == u64(0x11) + u64(0x22) + u64(0x33))
        #expect(errno { try map.update(key: u32(2), value: [UInt8](repeating: 0, count: 24)) } == .E2BIG)
        var key: UInt32 = 1
        for cpu in 0..<3 {
            let p = try #require(map.lookupForProgram(key: &key, cpu: cpu))
            #expect(p.load(as: UInt32.self) == UInt32(0x11 * (cpu + 1)))
            #expect(p == map.valueBaseAddress(index: 1, cpu: cpu))
        }
        var value: UInt32 = 0x99
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 2) == nil)
        #expect(try map.lookup(key: u32(1)) == u64(0x11) + u64(0x22) + u64(0x99))
        #expect(map.valueBaseAddress(index: 0, cpu: 3) == nil)
    }
}
