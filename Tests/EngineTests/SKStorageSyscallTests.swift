import BPFCore
import Glibc
import SwiftTCX
import Testing

/// The syscall side of an SK_STORAGE map on every backend this machine has. The kernel takes a
/// socket descriptor as the key; the embedded world has none, so the comparison uses a number
/// that is no open descriptor on either (EBADF everywhere), and the walk the kernel does not
/// offer (ENOTSUPP). Measured on Linux 6.18 with a socket as well: lookup of a socket without
/// storage ENOENT, update then NOEXIST EEXIST, a descriptor that is not a socket ENOTSOCK (the
/// engine says EBADF, having no descriptors of any socket; docs/maps.md).
@Suite struct SKStorageSyscallTests {
    static let backends = TestBackends.available

    static let object = TestBackends.fixture("corpus/net/sk_storage.o")

    @Test(arguments: backends) func descriptorsAreKeys(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let map = try collection.map("per_socket")
        #expect(try map.info.type == .skStorage)
        let unused = withUnsafeBytes(of: Int32(0x7fff_fff0)) { [UInt8]($0) }
        func errno(_ body: () throws -> Void) -> LinuxErrno? {
            do { try body(); return nil } catch { return (error as? TCXError)?.errno }
        }
        #expect(errno { _ = try map.lookup(unused) } == .EBADF)
        #expect(errno { try map.update(unused, to: [1, 0, 0, 0, 0, 0, 0, 0]) } == .EBADF)
        #expect(errno { try map.update(unused, to: [1, 0, 0, 0, 0, 0, 0, 0], flags: MapUpdateFlags.noExist) } == .EBADF)
        #expect(errno { try map.delete(unused) } == .EBADF)
        #expect(errno { _ = try world.nextKey(map: map.handle, after: nil) } == .ENOTSUPP)
    }
}
