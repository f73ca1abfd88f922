import BPFCore
import SwiftTCX
import Testing

/// STACK_TRACE maps on every backend this machine has, against one transcript recorded on
/// Linux 6.18: `stack_map_alloc`'s create rules (flags, key and value sizes, frame counts with
/// and without BPF_F_STACK_BUILD_ID) and the userspace answers of a map no program filled
/// (corpus/maps/stack_trace.c: tc programs may neither fill nor read it).
@Suite struct StackTraceMapTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/stack_trace.o")

    static func transcript(_ world: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        let creates: [(String, UInt32, UInt32, UInt32, UInt32)] = [
            ("4 frames", 4, 32, 16, 0), ("key 8", 8, 32, 16, 0), ("value 12", 4, 12, 16, 0), ("value 4", 4, 4, 16, 0),
            ("max 0", 4, 32, 0, 0), ("127 frames", 4, 127 * 8, 1, 0), ("128 frames", 4, 128 * 8, 1, 0),
            ("build id, 1 frame", 4, 32, 4, 0x20), ("build id, 40 bytes", 4, 40, 4, 0x20),
            ("build id, 127 frames", 4, 127 * 32, 1, 0x20), ("build id, 128 frames", 4, 128 * 32, 1, 0x20),
            ("no prealloc", 4, 32, 4, 0x1), ("rdonly", 4, 32, 4, 0x8), ("rdonly prog", 4, 32, 4, 0x80), ("numa", 4, 32, 4, 0x4),
        ]
        for (label, key, value, max, flags) in creates {
            record(label) { () throws(TCXError) in
                let spec = MapSpec(name: "stacks", type: .stackTrace, keySize: key, valueSize: value, maxEntries: max, flags: flags)
                try world.close(try world.createMap(spec))
                return "ok"
            }
        }
        let id = { (n: UInt32) in withUnsafeBytes(of: n) { [UInt8]($0) } }
        record("object") { () throws(TCXError) in
            let collection = try ObjectCollection(file: object, in: world)
            let map = try collection.map("stacks")
            record("info") { () throws(TCXError) in let i = try map.info; return "\(i.type) key=\(i.keySize) value=\(i.valueSize)" }
            for n: UInt32 in [0, 15, 16, 1000] {
                record("lookup \(n)") { () throws(TCXError) in try map.lookup(id(n)).map { "\($0)" } ?? "none" }
                record("delete \(n)") { () throws(TCXError) in try map.delete(id(n)); return "ok" }
            }
            record("update") { () throws(TCXError) in try map.update(id(1), to: [UInt8](repeating: 1, count: 32)); return "ok" }
            record("first key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: nil).map { "\($0)" } ?? "none" }
            record("next key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: id(3)).map { "\($0)" } ?? "none" }
            return "done"
        }
        return out
    }

    @Test(arguments: backends) func emptyStackMapAsTheKernel(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let got = Self.transcript(world)
        #expect(got == Self.recorded)
    }

    static let recorded: [String] = [
        "4 frames: ok", "key 8: EINVAL", "value 12: EINVAL", "value 4: EINVAL", "max 0: EINVAL", "127 frames: ok",
        "128 frames: EINVAL", "build id, 1 frame: ok", "build id, 40 bytes: EINVAL", "build id, 127 frames: ok",
        "build id, 128 frames: EINVAL", "no prealloc: EINVAL", "rdonly: ok", "rdonly prog: EINVAL", "numa: ok",
        "info: stack_trace key=4 value=32", "lookup 0: none", "delete 0: ENOENT", "lookup 15: none",
        "delete 15: ENOENT", "lookup 16: none", "delete 16: E2BIG", "lookup 1000: none", "delete 1000: E2BIG",
        "update: EINVAL", "first key: none", "next key: none", "object: done",
    ]
}
