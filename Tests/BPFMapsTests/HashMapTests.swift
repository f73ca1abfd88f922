import BPFCore
@testable import BPFMaps
import Testing

/// Errnos verified with raw bpf(2) calls on Linux 6.18.
struct HashMapTests {
    @Test func updateFlags() throws {
        let map = try make(.hash, key: 4, value: 4, max: 2)
        try map.update(key: u32(1), value: u32(1), flags: MapUpdateFlags.noExist)
        #expect(errno { try map.update(key: u32(1), value: u32(1), flags: MapUpdateFlags.noExist) } == .EEXIST)
        #expect(errno { try map.update(key: u32(2), value: u32(1), flags: MapUpdateFlags.exist) } == .ENOENT)
        try map.update(key: u32(1), value: u32(5), flags: MapUpdateFlags.exist)
        #expect(try map.lookup(key: u32(1)) == u32(5))
        #expect(errno { try map.update(key: u32(9), value: u32(1), flags: 3) } == .EINVAL)
        #expect(errno { try map.update(key: u32(1), value: u32(1), flags: MapUpdateFlags.lock) } == .EINVAL)
    }

    @Test func fullMap() throws {
        for flags in [UInt32(0), MapFlags.noPrealloc] {
            let map = try make(.hash, key: 4, value: 4, max: 2, flags: flags)
            try map.update(key: u32(1), value: u32(1))
            try map.update(key: u32(2), value: u32(1))
            #expect(errno { try map.update(key: u32(3), value: u32(1)) } == .E2BIG)
            #expect(errno { try map.update(key: u32(3), value: u32(1), flags: MapUpdateFlags.noExist) } == .E2BIG)
            #expect(errno { try map.update(key: u32(3), value: u32(1), flags: MapUpdateFlags.exist) } == .ENOENT)
            // Replacing a value still works when full.
            try map.update(key: u32(2), value: u32(7))
            #expect(try map.lookup(key: u32(2)) == u32(7))
            try map.delete(key: u32(1))
            try map.update(key: u32(3), value: u32(3))
        }
    }

    @Test func lookupDeleteNextKey() throws {
        let map = try make(.hash, key: 4, value: 4, max: 8)
        #expect(errno { try map.nextKey(after: nil) } == .ENOENT)
        #expect(errno { try map.lookup(key: u32(3)) } == .ENOENT)
        #expect(errno { try map.delete(key: u32(3)) } == .ENOENT)
        for k in 1...5 { try map.update(key: u32(UInt32(k)), value: u32(UInt32(k * 10))) }
        #expect(errno { try map.delete(key: u32(1), flags: 1) } == .EINVAL)
        var seen: [[UInt8]] = []
        var key: [UInt8]? = nil
        while let next = try? map.nextKey(after: key) {
            seen.append(next)
            key = next
        }
        #expect(Set(seen) == Set((1...5).map { u32(UInt32($0)) }))
        #expect(seen.count == 5)
        // A key not in the map restarts the walk.
        #expect(try map.nextKey(after: u32(77)) == seen[0])
        #expect(errno { try map.nextKey(after: seen[4]) } == .ENOENT)
        let dump = try map.dump()
        #expect(dump.count == 5)
        #expect(dump.allSatisfy { $0.value == u32($0.key.withUnsafeBytes { $0.load(as: UInt32.self) } * 10) })
        try map.delete(key: u32(3))
        #expect(errno { try map.lookup(key: u32(3)) } == .ENOENT)
        #expect(try map.dump().count == 4)
    }

    @Test func programSide() throws {
        let map = try make(.hash, key: 6, value: 12, max: 2)
        var key: (UInt16, UInt16, UInt16) = (1, 2, 3)
        var value = [UInt8](repeating: 4, count: 12)
        #expect(map.lookupForProgram(key: &key, cpu: 0) == nil)
        #expect(map.updateFromProgram(key: &key, value: &value, flags: MapUpdateFlags.exist, cpu: 0) == .ENOENT)
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 0) == nil)
        #expect(map.updateFromProgram(key: &key, value: &value, flags: MapUpdateFlags.noExist, cpu: 0) == .EEXIST)
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 5, cpu: 0) == .EINVAL)
        let p = try #require(map.lookupForProgram(key: &key, cpu: 1))
        #expect(Int(bitPattern: p) % 8 == 0)
        p.storeBytes(of: 0xFF, toByteOffset: 11, as: UInt8.self)
        #expect(try map.lookup(key: [1, 0, 2, 0, 3, 0]) == [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0xFF])
        #expect(map.deleteFromProgram(key: &key, cpu: 0) == nil)
        #expect(map.deleteFromProgram(key: &key, cpu: 0) == .ENOENT)
    }

    @Test func replacingLinksAFreshElement() throws {
        // As in the kernel, a reader holding the old value pointer keeps the old bytes.
        let map = try make(.hash, key: 4, value: 4, max: 4)
        try map.update(key: u32(1), value: u32(1))
        var key: UInt32 = 1
        let old = try #require(map.lookupForProgram(key: &key, cpu: 0))
        try map.update(key: u32(1), value: u32(2))
        #expect(old.load(as: UInt32.self) == 1)
        #expect(map.lookupForProgram(key: &key, cpu: 0)?.load(as: UInt32.self) == 2)
    }

    @Test func percpuLayout() throws {
        let map = try make(.percpuHash, key: 4, value: 4, max: 4, cpus: 2)
        #expect(map.userValueSize == 16)
        try map.update(key: u32(1), value: u64(1) + u64(2))
        #expect(try map.lookup(key: u32(1)) == u64(1) + u64(2))
        var key: UInt32 = 1
        let cpu1 = try #require(map.lookupForProgram(key: &key, cpu: 1))
        #expect(cpu1.load(as: UInt32.self) == 2)
        // Per-CPU values update in place: the pointer sees the new value.
        try map.update(key: u32(1), value: u64(5) + u64(6))
        #expect(cpu1.load(as: UInt32.self) == 6)
        // A program's insert sets its CPU's copy and zeroes the others.
        key = 2
        var value: UInt32 = 9
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 1) == nil)
        #expect(try map.lookup(key: u32(2)) == u64(0) + u64(9))
        value = 8
        #expect(map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 0) == nil)
        #expect(try map.lookup(key: u32(2)) == u64(8) + u64(9))
    }
}
