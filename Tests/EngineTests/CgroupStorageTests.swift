import BPFCore
import Glibc
import SwiftTCX
import Testing

/// CGRP_STORAGE maps from userspace on every backend this machine has, against one transcript
/// recorded on Linux 6.18: a descriptor of a cgroup v2 directory as the key (the hierarchy's
/// root: every machine has it, and storage in a map of this test changes nothing else), a
/// directory that is no cgroup and a number that is no descriptor EBADF, NOEXIST / EXIST, no
/// key walk. The object (corpus/maps/cgrp_storage.c) declares the map beside a tc program that
/// does not use it (a program that does: CgroupLocalStorageTests).
@Suite struct CgroupStorageTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/cgrp_storage.o")

    static func transcript(_ world: any BPFObjectSystem, root: Int32, notACgroup: Int32) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        let key = { (fd: Int32) in withUnsafeBytes(of: fd) { [UInt8]($0) } }
        let value = { (n: UInt64) in withUnsafeBytes(of: n) { [UInt8]($0) } }
        record("create without BTF") { () throws(TCXError) in
            let spec = MapSpec(name: "cgroups", type: .cgrpStorage, keySize: 4, valueSize: 8, maxEntries: 0,
                               flags: MapFlags.noPrealloc)
            try world.close(try world.createMap(spec))
            return "ok"
        }
        record("object") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let map = try collection.map("per_cgroup")
            record("info") { () throws(TCXError) in let i = try map.info; return "\(i.type) key=\(i.keySize) value=\(i.valueSize)" }
            record("lookup, fd not open") { () throws(TCXError) in try map.lookup(key(0x7fff_fff0)).map { "\($0)" } ?? "none" }
            record("lookup, not a cgroup") { () throws(TCXError) in try map.lookup(key(notACgroup)).map { "\($0)" } ?? "none" }
            record("lookup, no storage") { () throws(TCXError) in try map.lookup(key(root)).map { "\($0)" } ?? "none" }
            record("update exist") { () throws(TCXError) in try map.update(key(root), to: value(5), flags: MapUpdateFlags.exist); return "ok" }
            record("update") { () throws(TCXError) in try map.update(key(root), to: value(7)); return "ok" }
            record("lookup") { () throws(TCXError) in try map.lookup(key(root)).map { "\($0)" } ?? "none" }
            record("update noexist") { () throws(TCXError) in try map.update(key(root), to: value(8), flags: MapUpdateFlags.noExist); return "ok" }
            record("update bad flags") { () throws(TCXError) in try map.update(key(root), to: value(8), flags: 3); return "ok" }
            record("update exist") { () throws(TCXError) in try map.update(key(root), to: value(9), flags: MapUpdateFlags.exist); return "ok" }
            record("lookup") { () throws(TCXError) in try map.lookup(key(root)).map { "\($0)" } ?? "none" }
            record("update, not a cgroup") { () throws(TCXError) in try map.update(key(notACgroup), to: value(1)); return "ok" }
            record("next key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: nil).map { "\($0)" } ?? "none" }
            record("delete") { () throws(TCXError) in try map.delete(key(root)); return "ok" }
            record("delete again") { () throws(TCXError) in try map.delete(key(root)); return "ok" }
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func cgroupKeysAsTheKernel(_ backend: Backend) throws {
        // A machine without cgroup v2 has no cgroup to name.
        guard let path = CgroupArrayTests.cgroup2Root else { return }
        let root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(root >= 0)
        defer { close(root) }
        let notACgroup = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(notACgroup >= 0)
        defer { close(notACgroup) }
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(Self.transcript(world, root: root, notACgroup: notACgroup) == Self.recorded)
    }

    static let recorded: [String] = [
        "create without BTF: EINVAL", "info: cgrp_storage key=4 value=8",
        "lookup, fd not open: EBADF", "lookup, not a cgroup: EBADF", "lookup, no storage: none",
        "update exist: ENOENT", "update: ok", "lookup: [7, 0, 0, 0, 0, 0, 0, 0]",
        "update noexist: EEXIST", "update bad flags: EINVAL", "update exist: ok",
        "lookup: [9, 0, 0, 0, 0, 0, 0, 0]", "update, not a cgroup: EBADF", "next key: ENOTSUPP",
        "delete: ok", "delete again: ENOENT", "object: done",
    ]
}
