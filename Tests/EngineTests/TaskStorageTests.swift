import BPFCore
import Glibc
import SwiftTCX
import Testing

/// TASK_STORAGE maps from userspace on every backend this machine has, against one transcript
/// recorded on Linux 6.18: create rules; a pidfd as the key (this process's leader task); a
/// descriptor that is not open or no pidfd EBADF; NOEXIST / EXIST; no key
/// walk. The program side (bpf_get_current_task_btf, get, delete) is corpus/maps/task_storage.tcx's.
@Suite struct TaskStorageTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/task_storage.o")

    /// pidfd_open(2), from glibc 2.36 (Swift's Glibc module has no declaration).
    static let pidfdOpen: (@convention(c) (pid_t, UInt32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pidfd_open") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (pid_t, UInt32) -> Int32).self)
    }()

    static func transcript(_ world: any BPFObjectSystem, pidfd: Int32, notPidfd: Int32) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        func spec(key: UInt32 = 4, value: UInt32 = 8, max: UInt32 = 0, flags: UInt32 = MapFlags.noPrealloc) -> MapSpec {
            MapSpec(name: "tasks", type: .taskStorage, keySize: key, valueSize: value, maxEntries: max, flags: flags)
        }
        for (label, candidate) in [("no BTF", spec()), ("no BTF, preallocated", spec(flags: 0)), ("no BTF, max 1", spec(max: 1))] {
            record(label) { () throws(TCXError) in
                try world.close(try world.createMap(candidate))
                return "ok"
            }
        }
        let key = { (fd: Int32) in withUnsafeBytes(of: fd) { [UInt8]($0) } }
        let value = { (n: UInt64) in withUnsafeBytes(of: n) { [UInt8]($0) } }
        record("object") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let map = try collection.map("per_task")
            record("info") { () throws(TCXError) in let i = try map.info; return "\(i.type) key=\(i.keySize) value=\(i.valueSize)" }
            record("lookup, fd not open") { () throws(TCXError) in try map.lookup(key(0x7fff_fff0)).map { "\($0)" } ?? "none" }
            record("lookup, not a pidfd") { () throws(TCXError) in try map.lookup(key(notPidfd)).map { "\($0)" } ?? "none" }
            record("lookup, no storage") { () throws(TCXError) in try map.lookup(key(pidfd)).map { "\($0)" } ?? "none" }
            record("update exist") { () throws(TCXError) in try map.update(key(pidfd), to: value(5), flags: MapUpdateFlags.exist); return "ok" }
            record("update") { () throws(TCXError) in try map.update(key(pidfd), to: value(7)); return "ok" }
            record("lookup") { () throws(TCXError) in try map.lookup(key(pidfd)).map { "\($0)" } ?? "none" }
            record("update noexist") { () throws(TCXError) in try map.update(key(pidfd), to: value(8), flags: MapUpdateFlags.noExist); return "ok" }
            record("update bad flags") { () throws(TCXError) in try map.update(key(pidfd), to: value(8), flags: 3); return "ok" }
            record("update exist") { () throws(TCXError) in try map.update(key(pidfd), to: value(9), flags: MapUpdateFlags.exist); return "ok" }
            record("lookup") { () throws(TCXError) in try map.lookup(key(pidfd)).map { "\($0)" } ?? "none" }
            record("next key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: nil).map { "\($0)" } ?? "none" }
            record("delete") { () throws(TCXError) in try map.delete(key(pidfd)); return "ok" }
            record("delete again") { () throws(TCXError) in try map.delete(key(pidfd)); return "ok" }
            record("delete, not a pidfd") { () throws(TCXError) in try map.delete(key(notPidfd)); return "ok" }
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func pidfdKeysAsTheKernel(_ backend: Backend) throws {
        let open = try #require(Self.pidfdOpen)
        let pidfd = open(getpid(), 0)
        try #require(pidfd >= 0)
        defer { close(pidfd) }
        let notPidfd = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
        try #require(notPidfd >= 0)
        defer { close(notPidfd) }
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(Self.transcript(world, pidfd: pidfd, notPidfd: notPidfd) == Self.recorded)
    }

    static let recorded: [String] = [
        "no BTF: EINVAL", "no BTF, preallocated: EINVAL", "no BTF, max 1: EINVAL",
        "info: task_storage key=4 value=8",
        "lookup, fd not open: EBADF", "lookup, not a pidfd: EBADF", "lookup, no storage: none",
        "update exist: ENOENT", "update: ok", "lookup: [7, 0, 0, 0, 0, 0, 0, 0]",
        "update noexist: EEXIST", "update bad flags: EINVAL", "update exist: ok",
        "lookup: [9, 0, 0, 0, 0, 0, 0, 0]", "next key: ENOTSUPP",
        "delete: ok", "delete again: ENOENT", "delete, not a pidfd: EBADF",
        "object: done",
    ]
}
