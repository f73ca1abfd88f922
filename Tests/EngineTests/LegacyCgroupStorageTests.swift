import BPFCore
import SwiftTCX
import Testing

/// The attach-time CGROUP_STORAGE and PERCPU_CGROUP_STORAGE maps' create rules
/// (`cgroup_storage_map_alloc`) on every backend this machine has, against one transcript
/// recorded on Linux 6.18: key sizes, value limits (local storage's 65407 bytes; the per-CPU kind 32 KiB), flags,
/// max_entries. Their userspace answers with nothing attached are corpus/maps/cgroup_storage.tcx's.
@Suite struct LegacyCgroupStorageTests {
    static let backends = TestBackends.available

    static func transcript(_ world: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        let creates: [(String, MapType, UInt32, UInt32, UInt32, UInt32)] = [
            ("key 16", .cgroupStorage, 16, 8, 0, 0), ("key 8", .cgroupStorage, 8, 8, 0, 0),
            ("key 12", .cgroupStorage, 12, 8, 0, 0), ("key 4", .cgroupStorage, 4, 8, 0, 0),
            ("value 0", .cgroupStorage, 16, 0, 0, 0), ("value 4096", .cgroupStorage, 16, 4096, 0, 0),
            ("value 4097", .cgroupStorage, 16, 4097, 0, 0), ("value 65407", .cgroupStorage, 16, 65407, 0, 0),
            ("value 65408", .cgroupStorage, 16, 65408, 0, 0), ("max 1", .cgroupStorage, 16, 8, 1, 0),
            ("no prealloc", .cgroupStorage, 16, 8, 0, 0x1), ("rdonly", .cgroupStorage, 16, 8, 0, 0x8),
            ("rdonly prog", .cgroupStorage, 16, 8, 0, 0x80), ("numa", .cgroupStorage, 16, 8, 0, 0x4),
            ("percpu key 8", .percpuCgroupStorage, 8, 4, 0, 0), ("percpu value 4097", .percpuCgroupStorage, 16, 4097, 0, 0),
            ("percpu value 32768", .percpuCgroupStorage, 16, 32768, 0, 0),
            ("percpu value 32769", .percpuCgroupStorage, 16, 32769, 0, 0),
            ("percpu max 1", .percpuCgroupStorage, 16, 8, 1, 0),
        ]
        for (label, type, key, value, max, flags) in creates {
            do throws(TCXError) {
                let spec = MapSpec(name: "cgstore", type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags)
                try world.close(try world.createMap(spec))
                out.append("\(label): ok")
            } catch {
                out.append("\(label): \(error.errno.name)")
            }
        }
        return out
    }

    @Test(arguments: backends) func createRulesAsTheKernel(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let got = Self.transcript(world)
        #expect(got == Self.recorded)
    }

    static let recorded: [String] = [
        "key 16: ok", "key 8: ok", "key 12: EINVAL", "key 4: EINVAL", "value 0: EINVAL", "value 4096: ok",
        "value 4097: ok", "value 65407: ok", "value 65408: E2BIG", "max 1: EINVAL", "no prealloc: EINVAL", "rdonly: ok",
        "rdonly prog: ok", "numa: ok", "percpu key 8: ok", "percpu value 4097: ok", "percpu value 32768: ok",
        "percpu value 32769: E2BIG", "percpu max 1: EINVAL",
    ]
}
