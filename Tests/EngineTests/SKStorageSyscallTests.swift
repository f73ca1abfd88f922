import BPFCore
import Glibc
import SwiftTCX
import Testing

/// The syscall side of an SK_STORAGE map on every backend this machine has: the key is a
/// descriptor of the caller. A number that is no open descriptor is EBADF, a descriptor of
/// something else (a map) ENOTSOCK, and a socket opened with a descriptor (`openSocket`) has
/// one value, which its programs see too (sk_storage.c finds it with sk_lookup_tcp); the value
/// goes with the socket's last descriptor. The walk is not offered (ENOTSUPP).
@Suite struct SKStorageSyscallTests {
    static let backends = TestBackends.available

    static let object = TestBackends.fixture("corpus/net/sk_storage.o")

    private static func key(_ fd: UInt32) -> [UInt8] { withUnsafeBytes(of: fd) { [UInt8]($0) } }
    private static func counter(_ count: UInt64) -> [UInt8] { withUnsafeBytes(of: count.littleEndian) { [UInt8]($0) } }

    private static func errno(_ body: () throws -> Void) -> LinuxErrno? {
        do { try body(); return nil } catch { return (error as? TCXError)?.errno }
    }

    /// An IPv4/TCP frame from 10.0.2.2:40000 to 127.0.0.1:`port` asking sk_storage.c for the
    /// listener's storage without creating it (op 0); the answer is at byte 70.
    private static func getRequest(port: UInt16) -> [UInt8] {
        var frame: [UInt8] = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 9, 9, 0x08, 0x00]
        frame += [0x45, 0, 0, 0x4c, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 2, 2, 127, 0, 0, 1]
        frame += [0x9c, 0x40, UInt8(port >> 8), UInt8(port & 0xff)] + [UInt8](repeating: 0, count: 16)
        return frame + [UInt8](repeating: 0, count: 32)
    }

    private static func answer(_ out: [UInt8]) -> (result: Int64, count: UInt64) {
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(out[at + $1]) << (8 * UInt64($1)) } }
        return (Int64(bitPattern: word(70)), word(78))
    }

    @Test(arguments: backends) func descriptorsThatAreNoSockets(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let map = try collection.map("per_socket")
        #expect(try map.info.type == .skStorage)
        let unused = Self.key(0x7fff_fff0)
        #expect(Self.errno { _ = try map.lookup(unused) } == .EBADF)
        #expect(Self.errno { try map.update(unused, to: Self.counter(1)) } == .EBADF)
        #expect(Self.errno { try map.update(unused, to: Self.counter(1), flags: MapUpdateFlags.noExist) } == .EBADF)
        #expect(Self.errno { try map.delete(unused) } == .EBADF)
        #expect(Self.errno { _ = try world.nextKey(map: map.handle, after: nil) } == .ENOTSUPP)

        let notSocket = Self.key(map.handle.rawValue)
        #expect(Self.errno { _ = try map.lookup(notSocket) } == .ENOTSOCK)
        #expect(Self.errno { try map.update(notSocket, to: Self.counter(1)) } == .ENOTSOCK)
        #expect(Self.errno { try map.delete(notSocket) } == .ENOTSOCK)
    }

    @Test(arguments: backends) func aSocketsValueIsSharedWithItsPrograms(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let map = try collection.map("per_socket")
        let program = try collection.program("storage")
        let any = try #require(IPAddress("0.0.0.0"))
        let socket = try world.openSocket(.tcp, address: any, port: 7010)
        let other = try world.openSocket(.tcp, address: any, port: 7011)
        defer { try? world.close(other) }
        let copy = try world.duplicate(socket)

        #expect(try map.lookup(Self.key(socket.rawValue)) == nil)
        #expect(Self.errno { try map.update(Self.key(socket.rawValue), to: Self.counter(1), flags: MapUpdateFlags.exist) } == .ENOENT)
        #expect(Self.answer(try program.testRun(packet: Self.getRequest(port: 7010)).packetOut) == (0, 0))
        try map.update(Self.key(socket.rawValue), to: Self.counter(41), flags: MapUpdateFlags.noExist)
        #expect(try map.lookup(Self.key(copy.rawValue)) == Self.counter(41))
        #expect(try map.lookup(Self.key(other.rawValue)) == nil)
        #expect(Self.errno { try map.update(Self.key(copy.rawValue), to: Self.counter(1), flags: MapUpdateFlags.noExist) } == .EEXIST)

        // The program finds the listener and bumps the value userspace stored.
        #expect(Self.answer(try program.testRun(packet: Self.getRequest(port: 7010)).packetOut) == (1, 42))
        #expect(try map.lookup(Self.key(socket.rawValue)) == Self.counter(42))
        #expect(Self.answer(try program.testRun(packet: Self.getRequest(port: 7011)).packetOut) == (0, 0))

        try map.delete(Self.key(copy.rawValue))
        #expect(Self.errno { try map.delete(Self.key(socket.rawValue)) } == .ENOENT)
        try map.update(Self.key(socket.rawValue), to: Self.counter(7), flags: MapUpdateFlags.any)
        try world.close(socket)
        #expect(try map.lookup(Self.key(copy.rawValue)) == Self.counter(7))
        try world.close(copy)
        #expect(Self.errno { _ = try map.lookup(Self.key(copy.rawValue)) } == .EBADF)
    }
}
