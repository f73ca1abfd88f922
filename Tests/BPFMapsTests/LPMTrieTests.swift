import BPFCore
@testable import BPFMaps
import Testing

func lpmKey(_ prefix: UInt32, _ data: [UInt8]) -> [UInt8] { u32(prefix) + data }

/// Expectations measured with raw bpf(2) calls on Linux 6.18.
struct LPMTrieTests {
    func ipv4(max: UInt32 = 16) throws -> BPFMap {
        try make(.lpmTrie, key: 8, value: 4, max: max, flags: MapFlags.noPrealloc)
    }

    @Test func ipv4LongestPrefix() throws {
        let map = try ipv4()
        try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u32(8))
        try map.update(key: lpmKey(16, [10, 1, 0, 0]), value: u32(16))
        try map.update(key: lpmKey(24, [10, 1, 2, 0]), value: u32(24))
        try map.update(key: lpmKey(32, [10, 1, 2, 3]), value: u32(32))
        #expect(try map.lookup(key: lpmKey(32, [10, 1, 2, 3])) == u32(32))
        #expect(try map.lookup(key: lpmKey(32, [10, 1, 2, 4])) == u32(24))
        #expect(try map.lookup(key: lpmKey(32, [10, 1, 9, 9])) == u32(16))
        #expect(try map.lookup(key: lpmKey(32, [10, 200, 0, 1])) == u32(8))
        #expect(errno { try map.lookup(key: lpmKey(32, [11, 1, 2, 3])) } == .ENOENT)
        // The lookup key's own prefix length caps the match.
        #expect(try map.lookup(key: lpmKey(8, [10, 1, 2, 3])) == u32(8))
        #expect(try map.lookup(key: lpmKey(20, [10, 1, 2, 3])) == u32(16))
        #expect(errno { try map.lookup(key: lpmKey(40, [10, 1, 2, 3])) } == .ENOENT)
        try map.update(key: lpmKey(0, [0, 0, 0, 0]), value: u32(0))
        #expect(try map.lookup(key: lpmKey(32, [11, 1, 2, 3])) == u32(0))
        var key = lpmKey(32, [10, 1, 2, 77])
        let p = try #require(key.withUnsafeMutableBytes { map.lookupForProgram(key: $0.baseAddress!, cpu: 0) })
        #expect(p.load(as: UInt32.self) == 24)
    }

    @Test func updateDeleteErrnos() throws {
        let map = try ipv4(max: 3)
        #expect(errno { try map.update(key: lpmKey(33, [10, 0, 0, 0]), value: u32(1)) } == .EINVAL)
        #expect(errno { try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u32(1), flags: 3) } == .EINVAL)
        #expect(errno { try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u32(1), flags: MapUpdateFlags.lock) } == .EINVAL)
        #expect(errno { try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u32(1), flags: MapUpdateFlags.exist) } == .ENOENT)
        try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u32(8))
        // Only the prefix bits identify an entry.
        #expect(errno { try map.update(key: lpmKey(8, [10, 9, 9, 9]), value: u32(8), flags: MapUpdateFlags.noExist) } == .EEXIST)
        try map.update(key: lpmKey(16, [10, 1, 0, 0]), value: u32(16))
        try map.update(key: lpmKey(24, [10, 1, 2, 0]), value: u32(24))
        #expect(errno { try map.update(key: lpmKey(32, [10, 1, 2, 3]), value: u32(32)) } == .ENOSPC)
        #expect(errno { try map.update(key: lpmKey(32, [10, 1, 2, 3]), value: u32(32), flags: MapUpdateFlags.noExist) } == .ENOSPC)
        #expect(errno { try map.update(key: lpmKey(32, [10, 1, 2, 3]), value: u32(32), flags: MapUpdateFlags.exist) } == .ENOENT)
        try map.update(key: lpmKey(24, [10, 1, 2, 0]), value: u32(240))
        #expect(try map.lookup(key: lpmKey(32, [10, 1, 2, 3])) == u32(240))
        try map.delete(key: lpmKey(24, [10, 1, 2, 3]))
        #expect(errno { try map.delete(key: lpmKey(17, [10, 1, 0, 0])) } == .ENOENT)
        #expect(errno { try map.delete(key: lpmKey(40, [10, 1, 0, 0])) } == .EINVAL)
        #expect(errno { try map.delete(key: lpmKey(8, [10, 0, 0, 0]), flags: 1) } == .EINVAL)
        #expect(try map.lookup(key: lpmKey(32, [10, 1, 2, 3])) == u32(16))
        var key = lpmKey(8, [10, 0, 0, 0])
        var value = u32(5)
        let result = key.withUnsafeMutableBytes { k in value.withUnsafeMutableBytes { map.updateFromProgram(key: k.baseAddress!, value: $0.baseAddress!, flags: 1, cpu: 0) } }
        #expect(result == .EEXIST)
        #expect(key.withUnsafeMutableBytes { map.deleteFromProgram(key: $0.baseAddress!, cpu: 0) } == nil)
        #expect(key.withUnsafeMutableBytes { map.deleteFromProgram(key: $0.baseAddress!, cpu: 0) } == .ENOENT)
    }

    @Test func nextKeyIsThePostOrderWalk() throws {
        // The order Linux 6.18 returned for these prefixes.
        let map = try ipv4(max: 100)
        let prefixes: [(UInt32, [UInt8])] = [
            (8, [10, 0, 0, 0]), (16, [10, 1, 0, 0]), (24, [10, 1, 2, 0]), (16, [10, 0, 0, 0]), (24, [10, 200, 0, 0]),
            (1, [128, 0, 0, 0]), (0, [0, 0, 0, 0]), (32, [192, 168, 1, 1]), (24, [192, 168, 1, 0]),
            (16, [10, 128, 0, 0]), (8, [11, 0, 0, 0]),
        ]
        for (length, data) in prefixes { try map.update(key: lpmKey(length, data), value: u32(1)) }
        let expected: [(UInt32, [UInt8])] = [
            (16, [10, 0, 0, 0]), (24, [10, 1, 2, 0]), (16, [10, 1, 0, 0]), (16, [10, 128, 0, 0]), (24, [10, 200, 0, 0]),
            (8, [10, 0, 0, 0]), (8, [11, 0, 0, 0]), (32, [192, 168, 1, 1]), (24, [192, 168, 1, 0]), (1, [128, 0, 0, 0]),
            (0, [0, 0, 0, 0]),
        ]
        #expect(try map.dump().map(\.key) == expected.map { lpmKey($0.0, $0.1) })
        #expect(try map.nextKey(after: lpmKey(8, [99, 0, 0, 0])) == lpmKey(16, [10, 0, 0, 0]))
        #expect(try map.nextKey(after: lpmKey(40, [99, 0, 0, 0])) == lpmKey(16, [10, 0, 0, 0]))
        #expect(try map.nextKey(after: lpmKey(24, [10, 1, 2, 3])) == lpmKey(16, [10, 1, 0, 0]))
        #expect(errno { try map.nextKey(after: lpmKey(0, [0, 0, 0, 0])) } == .ENOENT)
        #expect(errno { try ipv4().nextKey(after: nil) } == .ENOENT)
    }

    @Test func keysAreKeptAsGiven() throws {
        // Linux keeps the data bytes past the prefix that the last update gave.
        let map = try ipv4()
        try map.update(key: lpmKey(24, [10, 1, 2, 0]), value: u32(1))
        try map.update(key: lpmKey(24, [10, 1, 2, 3]), value: u32(2))
        #expect(try map.nextKey(after: nil) == lpmKey(24, [10, 1, 2, 3]))
    }

    @Test func ipv6() throws {
        let map = try make(.lpmTrie, key: 20, value: 8, max: 8, flags: MapFlags.noPrealloc)
        let net: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12)
        var host = net
        host[15] = 1
        var site = net
        site[5] = 0x42
        try map.update(key: lpmKey(32, net), value: u64(32))
        try map.update(key: lpmKey(48, site), value: u64(48))
        try map.update(key: lpmKey(128, host), value: u64(128))
        #expect(try map.lookup(key: lpmKey(128, host)) == u64(128))
        var other = host
        other[15] = 2
        #expect(try map.lookup(key: lpmKey(128, other)) == u64(32))
        var inSite = site
        inSite[10] = 7
        #expect(try map.lookup(key: lpmKey(128, inSite)) == u64(48))
        #expect(errno { try map.lookup(key: lpmKey(128, [0xfe, 0x80] + [UInt8](repeating: 0, count: 14))) } == .ENOENT)
        #expect(errno { try map.update(key: lpmKey(129, host), value: u64(0)) } == .EINVAL)
        try map.delete(key: lpmKey(32, net))
        #expect(errno { try map.lookup(key: lpmKey(128, other)) } == .ENOENT)
        #expect((map as? LPMTrieMap)?.entryCount == 2)
    }
}
