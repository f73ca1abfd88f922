import BPFCore
import Glibc
import SwiftTCX
import Testing

/// CGROUP_ARRAY maps, bpf_skb_under_cgroup and bpf_current_task_under_cgroup on every backend this
/// machine has, with one transcript recorded on Linux 6.18 as the reference. The slots are
/// filled with a descriptor of the cgroup v2 root (every process and socket is under it), of a
/// directory that is not a cgroup, and of a bad number. This process's own cgroup below the
/// root is not used: a machine may run the tests in the root, and making a cgroup would change
/// the machine.
@Suite struct CgroupArrayTests {
    static let backends = TestBackends.available

    static func fixture(_ name: String) -> String { TestBackends.fixture("cgroup/" + name) }

    /// Where cgroup v2 is mounted, from /proc/self/mountinfo (mount point, field 5).
    static let cgroup2Root: String? = {
        guard let file = fopen("/proc/self/mountinfo", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ")
            if let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, dash >= 5, fields[dash + 1] == "cgroup2" {
                return String(fields[4])
            }
        }
        return nil
    }()

    static func transcript(_ world: any BPFObjectSystem, root: Int32, notACgroup: Int32) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        func spec(key: UInt32 = 4, value: UInt32 = 4, max: UInt32 = 4, flags: UInt32 = 0) -> MapSpec {
            MapSpec(name: "cgroups", type: .cgroupArray, keySize: key, valueSize: value, maxEntries: max, flags: flags)
        }
        for (label, candidate) in [("good", spec()), ("max 0", spec(max: 0)), ("key 8", spec(key: 8)), ("value 8", spec(value: 8)),
                                   ("numa", spec(flags: 0x4)), ("wronly", spec(flags: 0x10)), ("rdonly_prog", spec(flags: 0x80)),
                                   ("preserve_elems", spec(flags: 0x800)), ("mmapable", spec(flags: 0x400))] {
            record(label) { () throws(TCXError) in
                try world.close(try world.createMap(candidate))
                return "ok"
            }
        }
        let bytes = { (value: Int32) in withUnsafeBytes(of: value) { [UInt8]($0) } }
        record("program") { () throws(TCXError) in
            let collection = try ObjectCollection(file: fixture("under_cgroup.o"), in: world)
            let program = try collection.program("skb_in_cgroup")
            let task = try ObjectCollection(file: fixture("task.o"), in: world)
            let taskProgram = try task.program("task_in_cgroup")
            let map = try collection.map("cgroups")
            let taskMap = try task.map("cgroups")
            func run(_ label: String, index: UInt32) {
                record(label) { () throws(TCXError) in
                    var packet = [UInt8](repeating: 0, count: 14) + withUnsafeBytes(of: index) { [UInt8]($0) }
                    packet += [UInt8](repeating: 0, count: 64 - packet.count)
                    packet[12] = 0x08
                    let result = try program.testRun(packet: packet)
                    let answer = result.packetOut.dropFirst(18).prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let value = Int64(bitPattern: answer)
                    return value < 0 ? LinuxErrno(rawValue: Int32(clamping: -value)).name : "\(value)"
                }
            }
            func runTask(_ label: String) {
                record(label) { () throws(TCXError) in
                    let value = Int32(bitPattern: try taskProgram.testRun(packet: [UInt8](repeating: 0, count: 64)).returnValue)
                    return value < 0 ? LinuxErrno(rawValue: -value).name : "\(value)"
                }
            }
            record("lookup") { () throws(TCXError) in (try map.lookup(bytes(0))).map { "\($0)" } ?? "none" }
            record("update bad fd") { () throws(TCXError) in try map.update(bytes(0), to: bytes(0x7fff_fff0)); return "ok" }
            record("update a directory that is no cgroup") { () throws(TCXError) in try map.update(bytes(0), to: bytes(notACgroup)); return "ok" }
            record("update noexist") { () throws(TCXError) in try map.update(bytes(0), to: bytes(root), flags: MapUpdateFlags.noExist); return "ok" }
            record("update index 5") { () throws(TCXError) in try map.update(bytes(5), to: bytes(root)); return "ok" }
            record("delete empty") { () throws(TCXError) in try map.delete(bytes(0)); return "ok" }
            run("empty slot", index: 0)
            run("index past the end", index: 2)
            runTask("task, empty slot")
            record("update the root") { () throws(TCXError) in try map.update(bytes(0), to: bytes(root)); return "ok" }
            record("task map, the root") { () throws(TCXError) in try taskMap.update(bytes(0), to: bytes(root)); return "ok" }
            record("lookup a filled slot") { () throws(TCXError) in (try map.lookup(bytes(0))).map { "\($0)" } ?? "none" }
            run("under the root", index: 0)
            run("index 1 still empty", index: 1)
            runTask("task under the root")
            record("delete") { () throws(TCXError) in try map.delete(bytes(0)); return "ok" }
            run("after the delete", index: 0)
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func transcriptIsTheKernels(_ backend: Backend) throws {
        // A machine without cgroup v2 has no cgroup to put in a slot (nor does its kernel).
        guard let path = Self.cgroup2Root else { return }
        let root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(root >= 0)
        defer { close(root) }
        let notACgroup = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(notACgroup) }
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(Self.transcript(world, root: root, notACgroup: notACgroup) == Self.recorded)
    }

    static let recorded: [String] = [
        "good: ok",
        "max 0: EINVAL",
        "key 8: EINVAL",
        "value 8: EINVAL",
        "numa: ok",
        "wronly: ok",
        "rdonly_prog: EINVAL",
        "preserve_elems: EINVAL",
        "mmapable: EINVAL",
        "lookup: ENOTSUPP",
        "update bad fd: EBADF",
        "update a directory that is no cgroup: EBADF",
        "update noexist: EINVAL",
        "update index 5: E2BIG",
        "delete empty: ENOENT",
        "empty slot: EAGAIN",
        "index past the end: E2BIG",
        "task, empty slot: EAGAIN",
        "update the root: ok",
        "task map, the root: ok",
        "lookup a filled slot: ENOTSUPP",
        "under the root: 1",
        "index 1 still empty: EAGAIN",
        "task under the root: 1",
        "delete: ok",
        "after the delete: EAGAIN",
        "program: done",
    ]
}
