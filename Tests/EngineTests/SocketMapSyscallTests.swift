import BPFCore
import Glibc
import SwiftTCX
import Testing

/// Sockets userspace puts in a SOCKMAP or SOCKHASH by descriptor (`openSocket`), on every backend
/// this machine has: the kernel's errnos for slots, flags and descriptors that are no socket,
/// cookies read back, a program taking out what userspace stored, and a closed socket leaving
/// the maps. Expectations measured on Linux 6.18 (the kernel backend runs the same test).
@Suite struct SocketMapSyscallTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/sockmap/sockmap.o")

    static func errno(_ body: () throws -> Void) -> LinuxErrno? {
        do { try body(); return nil } catch { return (error as? TCXError)?.errno }
    }

    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// A request of sockmap.c (op, key, value, flags after 14 bytes of Ethernet), 64 bytes.
    static func request(op: UInt32, key: UInt32) -> [UInt8] {
        var packet: [UInt8] = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 9, 9, 8, 0]
        packet += bytes(op) + bytes(key) + bytes(UInt64(0)) + bytes(UInt64(0))
        return packet + [UInt8](repeating: 0, count: 64 - packet.count)
    }

    /// What the program answered at byte 38: its result and protocol<<48 | state<<32 | port.
    static func answer(_ out: [UInt8]) -> (result: Int64, socket: UInt64) {
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(out[at + $1]) << (8 * UInt64($1)) } }
        return (Int64(bitPattern: word(38)), word(46))
    }

    static let fetch: UInt32 = 2, fetchByKey: UInt32 = 3

    @Test(arguments: backends) func descriptorsGoInAndCookiesComeOut(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let slots = try collection.map("by_slot"), keyed = try collection.map("by_key")
        let program = try collection.program("sockmap_op")
        let tcp = try world.openSocket(.tcp, address: try #require(IPAddress("0.0.0.0")), port: 7001)
        let udp = try world.openSocket(.udp, address: try #require(IPAddress("0.0.0.0")), port: 7002)

        // SOCKMAP, 4-byte values: the slot and flags are checked once the socket is found.
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(0)), to: Self.bytes(tcp.rawValue)) } == nil)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(4)), to: Self.bytes(tcp.rawValue)) } == .E2BIG)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(0)), to: Self.bytes(udp.rawValue), flags: MapUpdateFlags.noExist) } == .EEXIST)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(1)), to: Self.bytes(udp.rawValue), flags: MapUpdateFlags.exist) } == .ENOENT)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(1)), to: Self.bytes(udp.rawValue), flags: 4) } == .EINVAL)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(9)), to: Self.bytes(UInt32(0x7fff_fff0))) } == .EBADF)
        #expect(Self.errno { try slots.update(Self.bytes(UInt32(1)), to: Self.bytes(program.handle.rawValue)) } == .ENOTSOCK)
        // A 4-byte value cannot carry the cookie userspace reads.
        #expect(Self.errno { _ = try slots.lookup(Self.bytes(UInt32(0))) } == .ENOSPC)

        // SOCKHASH, 8-byte values: the cookie comes back, one per socket.
        try keyed.update(Self.bytes(UInt32(9)), to: Self.bytes(UInt64(udp.rawValue)))
        try keyed.update(Self.bytes(UInt32(10)), to: Self.bytes(UInt64(udp.rawValue)))
        try keyed.update(Self.bytes(UInt32(11)), to: Self.bytes(UInt64(tcp.rawValue)))
        #expect(Self.errno { try keyed.update(Self.bytes(UInt32(12)), to: Self.bytes(UInt64(tcp.rawValue))) } == .E2BIG)
        let udpCookie = try #require(try keyed.lookup(Self.bytes(UInt32(9))))
        #expect(udpCookie != [UInt8](repeating: 0, count: 8))
        #expect(try keyed.lookup(Self.bytes(UInt32(10))) == udpCookie)
        #expect(try keyed.lookup(Self.bytes(UInt32(11))) != udpCookie)
        #expect(Set(try keyed.keys()) == Set([9, 10, 11].map { Self.bytes(UInt32($0)) }))

        // The program takes out what userspace stored: a TCP listener, a bound UDP socket.
        let stored = Self.answer(try program.testRun(packet: Self.request(op: Self.fetch, key: 0)).packetOut)
        #expect(stored.result == 0 && stored.socket == 6 << 48 | 10 << 32 | 7001)
        let byKey = Self.answer(try program.testRun(packet: Self.request(op: Self.fetchByKey, key: 10)).packetOut)
        #expect(byKey.result == 0 && byKey.socket == 17 << 48 | 7 << 32 | 7002)

        // A closed socket leaves every map; the other stays.
        try world.close(udp)
        #expect(try keyed.lookup(Self.bytes(UInt32(9))) == nil)
        #expect(try keyed.lookup(Self.bytes(UInt32(10))) == nil)
        #expect(try keyed.lookup(Self.bytes(UInt32(11))) != nil)
        #expect(try keyed.keys() == [Self.bytes(UInt32(11))])
        let gone = Self.answer(try program.testRun(packet: Self.request(op: Self.fetchByKey, key: 10)).packetOut)
        #expect(gone.result == -1)
    }

    /// A socket's duplicated descriptor keeps it open: it stays in the map until the last closes.
    @Test(arguments: backends) func theLastDescriptorClosesTheSocket(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let keyed = try collection.map("by_key")
        let socket = try world.openSocket(.tcp, address: try #require(IPAddress("0.0.0.0")), port: 7004)
        let copy = try world.duplicate(socket)
        #expect(copy != socket)
        try keyed.update(Self.bytes(UInt32(1)), to: Self.bytes(UInt64(socket.rawValue)))
        let cookie = try keyed.lookup(Self.bytes(UInt32(1)))
        try world.close(socket)
        #expect(try keyed.lookup(Self.bytes(UInt32(1))) == cookie)
        // The copy stores the same socket: the same cookie.
        try keyed.update(Self.bytes(UInt32(2)), to: Self.bytes(UInt64(copy.rawValue)))
        #expect(try keyed.lookup(Self.bytes(UInt32(2))) == cookie)
        try world.close(copy)
        #expect(try keyed.keys().isEmpty)
        #expect(Self.errno { try world.close(copy) } == .EBADF)
    }

    /// A SOCKHASH walks its keys bucket by bucket (jhash of the key), newest first in a bucket:
    /// the order is the keys' own, so both backends give the same walk.
    @Test(arguments: backends) func sockhashWalkOrder(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let keyed = try collection.map("by_key")
        let socket = try world.openSocket(.tcp, address: try #require(IPAddress("0.0.0.0")), port: 7003)
        var walks: [[UInt32]] = []
        for keys in [[1, 2, 3], [3, 2, 1], [100, 200, 300], [7, 0x1234_5678, 0xffff_ffff]] as [[UInt32]] {
            for key in keys { try keyed.update(Self.bytes(key), to: Self.bytes(UInt64(socket.rawValue))) }
            walks.append(try keyed.keys().map { $0.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } })
            for key in keys { try keyed.delete(Self.bytes(key)) }
        }
        // Recorded on Linux 6.18.
        #expect(walks == Self.kernelWalks, "\(backend)")
    }

    static let kernelWalks: [[UInt32]] = [[2, 3, 1], [2, 1, 3], [300, 100, 200], [0x1234_5678, 7, 0xffff_ffff]]
}
