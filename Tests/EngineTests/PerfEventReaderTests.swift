import BPFCore
import Glibc
import SwiftTCX
import Testing

/// PERF_EVENT_ARRAY maps, `bpf_perf_event_output` and `PerfEventReader` on every backend this
/// machine has, with one transcript recorded on Linux 6.18 (x86_64, 2 possible CPUs, 4 KiB
/// pages) as the reference: the map's create and element errnos, the helper's errno order, the
/// samples (tag, value, packet bytes) and the lost-sample accounting of a one-page ring.
@Suite struct PerfEventReaderTests {
    static let backends = TestBackends.available

    static let object = TestBackends.fixture("perf-event/perf_output.o")

    /// BPF_F_CURRENT_CPU, and the packet length in the BPF_F_CTXLEN_MASK bits.
    static let currentCPU: UInt64 = 0xffff_ffff
    static func context(_ bytes: UInt64) -> UInt64 { bytes << 32 }

    /// A 64-byte request packet (see perf_output.c): the tag, the value, the helper's flags.
    static func packet(tag: UInt32, value: UInt64, flags: UInt64) -> [UInt8] {
        var bytes = (0..<14).map { UInt8($0) }
        bytes += withUnsafeBytes(of: tag) { [UInt8]($0) } + [0, 0, 0, 0]
        bytes += withUnsafeBytes(of: value) { [UInt8]($0) } + withUnsafeBytes(of: flags) { [UInt8]($0) }
        return bytes + (bytes.count..<64).map { UInt8($0) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Every step's outcome on `world`, as words.
    static func transcript(_ world: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        func spec(key: UInt32 = 4, value: UInt32 = 4, max: UInt32 = 4, flags: UInt32 = 0) -> MapSpec {
            MapSpec(name: "events", type: .perfEventArray, keySize: key, valueSize: value, maxEntries: max, flags: flags)
        }
        let specs: [(String, MapSpec)] = [
            ("good", spec()), ("max 0", spec(max: 0)), ("key 8", spec(key: 8)), ("value 8", spec(value: 8)),
            ("value 0", spec(value: 0)), ("numa", spec(flags: 0x4)), ("rdonly", spec(flags: 0x8)),
            ("rdonly_prog", spec(flags: 0x80)), ("mmapable", spec(flags: 0x400)), ("inner_map", spec(flags: 0x1000)),
            ("preserve_elems", spec(flags: 0x800)), ("no_prealloc", spec(flags: 0x1)), ("zero_seed", spec(flags: 0x40)),
        ]
        for (label, candidate) in specs {
            record(label) { () throws(TCXError) in
                try world.close(try world.createMap(candidate))
                return "ok"
            }
        }
        let index = { (value: UInt32) in withUnsafeBytes(of: value) { [UInt8]($0) } }
        if let map = try? Map(creating: spec(max: 2), in: world) {
            record("lookup") { () throws(TCXError) in hex(try world.lookup(map: map.handle, key: index(0))) }
            record("update not a perf fd") { () throws(TCXError) in
                try map.update(index(0), to: index(0xff_ffff)); return "ok"
            }
            record("update noexist") { () throws(TCXError) in
                try map.update(index(0), to: index(0xff_ffff), flags: MapUpdateFlags.noExist); return "ok"
            }
            record("update index 5") { () throws(TCXError) in try map.update(index(5), to: index(0xff_ffff)); return "ok" }
            record("delete empty") { () throws(TCXError) in try map.delete(index(0)); return "ok" }
            record("delete index 5") { () throws(TCXError) in try map.delete(index(5)); return "ok" }
            record("keys") { () throws(TCXError) in try map.keys().map(hex).joined(separator: ",") }
            record("reader of 3 pages") { () throws(TCXError) in
                _ = try PerfEventReader(map: map, pagesPerCPU: 3); return "ok"
            }
        }
        record("program") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let program = try collection.program("emit_event")
            let events = try collection.map("events")
            out.append("slots: \(try events.info.maxEntries == UInt32(world.possibleCPUCount))")
            func run(_ label: String, _ flags: UInt64, tag: UInt32 = 7, repeat count: UInt32 = 1) {
                record(label) { () throws(TCXError) in
                    let result = try program.testRun(packet: packet(tag: tag, value: 0x1122_3344_5566_7788, flags: flags), repeat: count)
                    let answer = result.packetOut.dropFirst(38).prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let errno = Int64(bitPattern: answer)
                    return errno < 0 ? LinuxErrno(rawValue: Int32(clamping: -errno)).name : "\(errno)"
                }
            }
            run("no reader", context(8))
            var reader: PerfEventReader? = try PerfEventReader(map: events, pagesPerCPU: 1)
            out.append("cpus: \(reader?.cpus == Array(0..<world.possibleCPUCount))")
            run("index 0, 40 packet bytes", context(40))
            run("current CPU, no packet bytes", currentCPU, tag: 8)
            run("bad flag bit 52", 1 << 52)
            run("65 packet bytes of 64", context(65))
            run("65 packet bytes, index past the end", context(65) | 0xffff_fffe)
            run("index past the end", 0xffff_fffe)
            if world.possibleCPUCount > 1 { run("index 1, another CPU's event", 1) }
            for record in reader?.read() ?? [] {
                switch record {
                case .sample(let cpu, let bytes): out.append("sample cpu \(cpu): \(hex(bytes))")
                case .lost(let cpu, let count): out.append("lost cpu \(cpu): \(count)")
                }
            }
            // A one-page ring holds 73 samples of 56 bytes (12 of header and size, 44 of data).
            run("80 runs, 32 packet bytes", context(32), tag: 9, repeat: 80)
            let full = reader?.read() ?? []
            out.append("after 80 runs: \(full.count) records, lost \(reader?.lostCount ?? 0)")
            run("one more", context(32), tag: 10)
            out.append("then: \((reader?.read() ?? []).map { record in if case .lost(_, let n) = record { "lost \(n)" } else { "sample" } })")
            out.append("lost in all: \(reader?.lostCount ?? 0)")
            record("delete slot 0") { () throws(TCXError) in try events.delete(index(0)); return "ok" }
            run("after the delete", context(8))
            reader = try PerfEventReader(map: events, pagesPerCPU: 1)
            run("a new reader", context(8))
            // The reader's deinit empties the slots it filled.
            reader = nil
            run("reader gone", context(8))
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func transcriptIsTheKernels(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        // With one possible CPU there is no other CPU's event to refuse.
        let expected = Self.recorded.filter { world.possibleCPUCount > 1 || !$0.hasPrefix("index 1,") }
        #expect(Self.transcript(world) == expected)
    }

    static let recorded: [String] = [
        "good: ok",
        "max 0: EINVAL",
        "key 8: EINVAL",
        "value 8: EINVAL",
        "value 0: EINVAL",
        "numa: ok",
        "rdonly: ok",
        "rdonly_prog: EINVAL",
        "mmapable: EINVAL",
        "inner_map: EINVAL",
        "preserve_elems: ok",
        "no_prealloc: EINVAL",
        "zero_seed: EINVAL",
        "lookup: ENOTSUPP",
        "update not a perf fd: EBADF",
        "update noexist: EINVAL",
        "update index 5: E2BIG",
        "delete empty: ENOENT",
        "delete index 5: E2BIG",
        "keys: 00000000,01000000",
        "reader of 3 pages: EINVAL",
        "slots: true",
        "no reader: ENOENT",
        "cpus: true",
        "index 0, 40 packet bytes: 0",
        "current CPU, no packet bytes: 0",
        "bad flag bit 52: EINVAL",
        "65 packet bytes of 64: EFAULT",
        "65 packet bytes, index past the end: EFAULT",
        "index past the end: E2BIG",
        "index 1, another CPU's event: EOPNOTSUPP",
        "sample cpu 0: 070000008877665544332211000102030405060708090a0b0c0d0700000000000000887766554433221100000000280000002627",
        "sample cpu 0: 080000008877665544332211",
        "80 runs, 32 packet bytes: ENOSPC",
        "after 80 runs: 73 records, lost 0",
        "one more: 0",
        "then: [\"lost 7\", \"sample\"]",
        "lost in all: 7",
        "delete slot 0: ok",
        "after the delete: ENOENT",
        "a new reader: 0",
        "reader gone: ENOENT",
        "program: done",
    ]
}
