import BPFCore
@testable import BPFMaps
import Testing

final class FakeProgram: Sendable {
    let name: String
    init(_ name: String) { self.name = name }
}

/// Errnos verified with raw bpf(2) calls on Linux 6.18.
struct ProgramArrayTests {
    @Test func slotsAndErrnos() throws {
        let map = try #require(try make(.progArray, key: 4, value: 4, max: 4) as? ProgramArrayMap)
        #expect(map.userValueSize == 4)
        #expect(errno { try map.lookup(key: u32(0)) } == .ENOENT)
        #expect(errno { try map.lookup(key: u32(9)) } == .ENOENT)
        #expect(errno { try map.update(key: u32(0), value: u32(9999)) } == .EBADF)
        #expect(errno { try map.update(key: u32(9), value: u32(9999)) } == .E2BIG)
        #expect(errno { try map.update(key: u32(9), value: u32(9999), flags: MapUpdateFlags.noExist) } == .EINVAL)
        #expect(errno { try map.update(key: u32(0), value: u32(9999), flags: MapUpdateFlags.exist) } == .EINVAL)
        #expect(errno { try map.delete(key: u32(0)) } == .ENOENT)
        #expect(errno { try map.delete(key: u32(9)) } == .E2BIG)
        #expect(try map.nextKey(after: nil) == u32(0))
        #expect(errno { try map.nextKey(after: u32(3)) } == .ENOENT)

        let program = FakeProgram("tail")
        map.setDescriptorResolver { fd in fd == 7 ? ProgramReference(id: 42, program: program) : nil }
        try map.update(key: u32(1), value: u32(7))
        #expect(try map.lookup(key: u32(1)) == u32(42))
        #expect((map.program(at: 1)?.program as? FakeProgram)?.name == "tail")
        #expect(map.program(at: 0) == nil)
        #expect(map.program(at: 100) == nil)
        #expect(try map.dump() == [MapEntry(key: u32(1), value: u32(42))])
        try map.setProgram(ProgramReference(id: 43, program: FakeProgram("direct")), at: 2)
        #expect(errno { try map.setProgram(nil, at: 4) } == .E2BIG)
        #expect(errno { try map.setProgram(nil, at: 0, flags: 1) } == .EINVAL)
        try map.delete(key: u32(1))
        #expect(map.program(at: 1) == nil)
        #expect(map.program(at: 2)?.id == 43)
        var key: UInt32 = 2
        #expect(map.lookupForProgram(key: &key, cpu: 0) == nil)
    }
}
