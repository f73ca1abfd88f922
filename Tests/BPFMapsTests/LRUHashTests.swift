import BPFCore
@testable import BPFMaps
import Testing

struct LRUHashTests {
    @Test func insertsEvictTheLeastRecentlyUsed() throws {
        // Linux 6.18: ten inserts into a 4-entry LRU hash leave keys 6...9.
        let map = try make(.lruHash, key: 4, value: 4, max: 4)
        for i in 0..<10 { try map.update(key: u32(UInt32(i)), value: u32(UInt32(i))) }
        let live = (0..<10).filter { (try? map.lookup(key: u32(UInt32($0)))) != nil }
        #expect(live == [6, 7, 8, 9])
    }

    @Test func programLookupsKeepEntriesAlive() throws {
        let map = try make(.lruHash, key: 4, value: 4, max: 4)
        for i in 0..<4 { try map.update(key: u32(UInt32(i)), value: u32(UInt32(i))) }
        var key: UInt32 = 0
        #expect(map.lookupForProgram(key: &key, cpu: 0) != nil)
        // Userspace lookups do not count as use (the kernel's syscall lookup leaves the ref bit).
        _ = try map.lookup(key: u32(1))
        try map.update(key: u32(10), value: u32(10))
        try map.update(key: u32(11), value: u32(11))
        let live = [0, 1, 2, 3, 10, 11].filter { (try? map.lookup(key: u32(UInt32($0)))) != nil }
        #expect(live == [0, 3, 10, 11])
    }

    @Test func flags() throws {
        let map = try make(.lruHash, key: 4, value: 4, max: 4)
        try map.update(key: u32(1), value: u32(1))
        #expect(errno { try map.update(key: u32(100), value: u32(1), flags: MapUpdateFlags.exist) } == .ENOENT)
        #expect(errno { try map.update(key: u32(1), value: u32(1), flags: 3) } == .EINVAL)
        #expect(errno { try map.update(key: u32(1), value: u32(1), flags: MapUpdateFlags.lock) } == .EINVAL)
        #expect(errno { try map.update(key: u32(1), value: u32(1), flags: MapUpdateFlags.noExist) } == .EEXIST)
    }

    @Test func largeMapEvictsAndStaysBounded() throws {
        let map = try #require(try make(.lruHash, key: 4, value: 8, max: 1000) as? HashMap)
        for i in 0..<5000 { try map.update(key: u32(UInt32(i)), value: u64(UInt64(i))) }
        #expect(map.entryCount == 1000)
        #expect(try map.lookup(key: u32(4999)) == u64(4999))
        #expect(try map.dump().count == 1000)
    }

    @Test func percpuLRU() throws {
        let map = try make(.lruPercpuHash, key: 4, value: 4, max: 2, cpus: 2)
        #expect(map.userValueSize == 16)
        try map.update(key: u32(1), value: u64(3) + u64(4))
        try map.update(key: u32(2), value: u64(5) + u64(6))
        try map.update(key: u32(3), value: u64(7) + u64(8))
        #expect(errno { try map.lookup(key: u32(1)) } == .ENOENT)
        #expect(try map.lookup(key: u32(3)) == u64(7) + u64(8))
        var key: UInt32 = 3
        #expect(map.lookupForProgram(key: &key, cpu: 1)?.load(as: UInt32.self) == 8)
    }
}
