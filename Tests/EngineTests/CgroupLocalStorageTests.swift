import BPFCore
import Glibc
import SwiftTCX
import Testing

/// A tc program and userspace meet on one cgroup's storage (corpus/maps/cgrp_local_storage.c):
/// the program reaches the cgroup of the task that runs it (this process's, through
/// `bpf_get_current_task_btf()->cgroups->dfl_cgrp`), userspace names the same cgroup with a
/// descriptor of its directory. What one writes the other reads, and a delete on either side
/// is seen by both; every backend this machine has, against one transcript recorded on Linux
/// 6.18. The helpers' own answers are corpus/maps/cgrp_local_storage.tcx's.
@Suite struct CgroupLocalStorageTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/cgrp_local_storage.o")

    /// This process's cgroup v2 directory: the cgroup2 mount and the path /proc/self/cgroup
    /// gives; nil when the process sees no cgroup v2 hierarchy.
    static let processCgroup: String? = {
        guard let root = CgroupArrayTests.cgroup2Root, let file = fopen("/proc/self/cgroup", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("0::") { return root + text.dropFirst(3) }
        }
        return nil
    }()

    /// One run: OP FLAGS START at byte 14; the answer is the result at byte 38 (1 storage, 0
    /// NULL, a delete's result) and the counter at byte 46.
    static func run(_ program: borrowing Program, op: UInt32, flags: UInt32 = 0, start: UInt64 = 0) throws(TCXError) -> String {
        var packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00]
        packet += withUnsafeBytes(of: op.littleEndian) { [UInt8]($0) } + withUnsafeBytes(of: flags.littleEndian) { [UInt8]($0) }
        packet += withUnsafeBytes(of: start.littleEndian) { [UInt8]($0) }
        packet += [UInt8](repeating: 0, count: 56 - packet.count)
        let out = try program.testRun(packet: packet).packetOut
        let result = Int64(littleEndian: out.dropFirst(38).prefix(8).reversed().reduce(0) { $0 << 8 | Int64($1) })
        let counter = out.dropFirst(46).prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let named = result < 0 && result > -4096 ? LinuxErrno(rawValue: Int32(-result)).name : "\(result)"
        return "\(named) count=\(counter)"
    }

    static func transcript(_ world: any BPFObjectSystem, cgroup: Int32) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        let key = withUnsafeBytes(of: cgroup) { [UInt8]($0) }
        let value = { (n: UInt64) in withUnsafeBytes(of: n) { [UInt8]($0) } }
        record("object") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let program = try collection.program("cgrp_local_storage")
            let map = try collection.map("per_cgroup")
            let lookup = { () throws(TCXError) -> String in try map.lookup(key).map { "\($0)" } ?? "none" }
            record("lookup, no storage") { () throws(TCXError) in try lookup() }
            record("program get") { () throws(TCXError) in try run(program, op: 0) }
            record("program create from 41") { () throws(TCXError) in try run(program, op: 1, flags: 1, start: 41) }
            record("lookup") { () throws(TCXError) in try lookup() }
            record("update to 100") { () throws(TCXError) in try map.update(key, to: value(100)); return "ok" }
            record("program get") { () throws(TCXError) in try run(program, op: 0) }
            record("delete") { () throws(TCXError) in try map.delete(key); return "ok" }
            record("program get") { () throws(TCXError) in try run(program, op: 0) }
            record("program delete") { () throws(TCXError) in try run(program, op: 2) }
            record("update noexist to 7") { () throws(TCXError) in try map.update(key, to: value(7), flags: MapUpdateFlags.noExist); return "ok" }
            record("program get") { () throws(TCXError) in try run(program, op: 0) }
            record("program delete") { () throws(TCXError) in try run(program, op: 2) }
            record("lookup") { () throws(TCXError) in try lookup() }
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func programAndUserspaceShareTheCgroupsStorage(_ backend: Backend) throws {
        // A process outside any cgroup v2 hierarchy has no cgroup to name.
        guard let path = Self.processCgroup else { return }
        let cgroup = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(cgroup >= 0)
        defer { close(cgroup) }
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let transcript = Self.transcript(world, cgroup: cgroup)
        #expect(transcript == Self.recorded, "\(transcript)")
    }

    static let recorded: [String] = [
        "lookup, no storage: none", "program get: 0 count=0", "program create from 41: 1 count=42",
        "lookup: [42, 0, 0, 0, 0, 0, 0, 0]", "update to 100: ok", "program get: 1 count=101", "delete: ok",
        "program get: 0 count=0", "program delete: ENOENT count=0", "update noexist to 7: ok",
        "program get: 1 count=8", "program delete: 0 count=0", "lookup: none", "object: done",
    ]
}
