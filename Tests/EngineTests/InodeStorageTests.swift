import BPFCore
import Glibc
import SwiftTCX
import Testing

/// INODE_STORAGE maps from userspace on every backend this machine has, against one transcript
/// recorded on Linux 6.18: the create rules of local storage; any open descriptor as the key,
/// naming its inode, so a second descriptor of the same file (and an O_PATH one) sees the same
/// value and another file none; a number that is no descriptor EBADF; NOEXIST / EXIST; no key
/// walk. The object (corpus/maps/inode_storage.c) declares the map beside a tc program that
/// does not use it: only LSM and tracing programs reach an inode.
@Suite struct InodeStorageTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/inode_storage.o")

    struct Descriptors { let file: Int32; let again: Int32; let path: Int32; let other: Int32 }

    static func transcript(_ world: any BPFObjectSystem, _ fds: Descriptors) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        let key = { (fd: Int32) in withUnsafeBytes(of: fd) { [UInt8]($0) } }
        let value = { (n: UInt64) in withUnsafeBytes(of: n) { [UInt8]($0) } }
        func spec(max: UInt32 = 0, flags: UInt32 = MapFlags.noPrealloc) -> MapSpec {
            MapSpec(name: "inodes", type: .inodeStorage, keySize: 4, valueSize: 8, maxEntries: max, flags: flags)
        }
        for (label, candidate) in [("no BTF", spec()), ("no BTF, preallocated", spec(flags: 0)), ("no BTF, max 1", spec(max: 1))] {
            record(label) { () throws(TCXError) in
                try world.close(try world.createMap(candidate))
                return "ok"
            }
        }
        record("object") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let map = try collection.map("per_inode")
            let lookup = { (fd: Int32) throws(TCXError) -> String in try map.lookup(key(fd)).map { "\($0)" } ?? "none" }
            record("info") { () throws(TCXError) in let i = try map.info; return "\(i.type) key=\(i.keySize) value=\(i.valueSize)" }
            record("lookup, fd not open") { () throws(TCXError) in try lookup(0x7fff_fff0) }
            record("lookup, no storage") { () throws(TCXError) in try lookup(fds.file) }
            record("update exist") { () throws(TCXError) in try map.update(key(fds.file), to: value(5), flags: MapUpdateFlags.exist); return "ok" }
            record("update") { () throws(TCXError) in try map.update(key(fds.file), to: value(7)); return "ok" }
            record("lookup") { () throws(TCXError) in try lookup(fds.file) }
            record("lookup, same file again") { () throws(TCXError) in try lookup(fds.again) }
            record("lookup, O_PATH") { () throws(TCXError) in try lookup(fds.path) }
            record("lookup, another file") { () throws(TCXError) in try lookup(fds.other) }
            record("update noexist, same file again") { () throws(TCXError) in
                try map.update(key(fds.again), to: value(8), flags: MapUpdateFlags.noExist); return "ok"
            }
            record("update bad flags") { () throws(TCXError) in try map.update(key(fds.file), to: value(8), flags: 3); return "ok" }
            record("update exist, O_PATH") { () throws(TCXError) in try map.update(key(fds.path), to: value(9), flags: MapUpdateFlags.exist); return "ok" }
            record("lookup") { () throws(TCXError) in try lookup(fds.file) }
            record("update, fd not open") { () throws(TCXError) in try map.update(key(-1), to: value(1)); return "ok" }
            record("next key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: nil).map { "\($0)" } ?? "none" }
            record("delete, another file") { () throws(TCXError) in try map.delete(key(fds.other)); return "ok" }
            record("delete, same file again") { () throws(TCXError) in try map.delete(key(fds.again)); return "ok" }
            record("delete") { () throws(TCXError) in try map.delete(key(fds.file)); return "ok" }
            record("lookup after delete") { () throws(TCXError) in try lookup(fds.path) }
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func descriptorKeysAsTheKernel(_ backend: Backend) throws {
        var template = Array("/tmp/tcx-inode-XXXXXX".utf8CString)
        let file = mkstemp(&template)
        try #require(file >= 0)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(file); unlink(path) }
        let again = open(path, O_RDONLY | O_CLOEXEC)
        let byPath = open(path, Self.oPath | O_CLOEXEC)
        let other = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        defer { close(again); close(byPath); close(other) }
        try #require(again >= 0 && byPath >= 0 && other >= 0)
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let got = Self.transcript(world, Descriptors(file: file, again: again, path: byPath, other: other))
        #expect(got == Self.recorded)
    }

    /// O_PATH, which Swift's Glibc module does not export.
    static let oPath: Int32 = 0o10_000_000

    /// Linux 6.18 with the BPF LSM among the active ones (it gives inodes their storage slot).
    static let recorded: [String] = [
        "no BTF: EINVAL", "no BTF, preallocated: EINVAL", "no BTF, max 1: EINVAL", "info: inode_storage key=4 value=8",
        "lookup, fd not open: EBADF", "lookup, no storage: none", "update exist: ENOENT", "update: ok",
        "lookup: [7, 0, 0, 0, 0, 0, 0, 0]", "lookup, same file again: [7, 0, 0, 0, 0, 0, 0, 0]",
        "lookup, O_PATH: [7, 0, 0, 0, 0, 0, 0, 0]", "lookup, another file: none",
        "update noexist, same file again: EEXIST", "update bad flags: EINVAL", "update exist, O_PATH: ok",
        "lookup: [9, 0, 0, 0, 0, 0, 0, 0]", "update, fd not open: EBADF", "next key: ENOTSUPP",
        "delete, another file: ENOENT", "delete, same file again: ok", "delete: ENOENT", "lookup after delete: none",
        "object: done",
    ]
}
