import BPFCore
import LinuxKernel
import SwiftTCX
import TCX
import Testing

/// Queue and stack maps through bpf(2) on both backends: create checks, push flags, a full
/// map, peek by lookup, delete and next key, with the kernel's answers as the reference.
@Suite(needsKernel)
struct QueueStackErrnoTests {
    /// What each step answered: "ok", a value in hex, or the errno's name.
    private func steps(_ system: any BPFObjectSystem, _ type: MapType) -> [String] {
        var out: [String] = []
        func record(_ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append(try body()) } catch { out.append(error.errno.name) }
        }
        func create(key: UInt32, value: UInt32, max: UInt32, flags: UInt32 = 0) throws(TCXError) -> Handle {
            try system.createMap(MapSpec(name: "q", type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags))
        }
        for (key, value, max, flags) in [(UInt32(4), UInt32(8), UInt32(2), UInt32(0)), (0, 0, 2, 0), (0, 8, 0, 0),
                                         (0, 8, 2, MapFlags.noPrealloc), (0, 8, 2, MapFlags.mmapable)] {
            record { () throws(TCXError) in
                try system.close(try create(key: key, value: value, max: max, flags: flags))
                return "ok"
            }
        }
        guard let map = try? create(key: 0, value: 4, max: 2) else { return out + ["no map"] }
        defer { try? system.close(map) }
        let hex = { (bytes: [UInt8]) in bytes.map { String($0, radix: 16) }.joined(separator: ".") }
        record { () throws(TCXError) in hex(try system.lookup(map: map, key: [])) }
        for (value, flags) in [(UInt8(1), MapUpdateFlags.any), (2, MapUpdateFlags.noExist), (2, 4), (2, 8),
                               (2, MapUpdateFlags.exist), (3, MapUpdateFlags.any), (4, MapUpdateFlags.exist)] {
            record { () throws(TCXError) in
                try system.update(map: map, key: [], value: [value, 0, 0, 0], flags: flags)
                return "ok"
            }
            record { () throws(TCXError) in hex(try system.lookup(map: map, key: [])) }
        }
        record { () throws(TCXError) in try system.delete(map: map, key: []); return "ok" }
        record { () throws(TCXError) in (try system.nextKey(map: map, after: nil)).map(hex) ?? "none" }
        record { () throws(TCXError) in try system.update(map: map, key: [], value: [1, 0], flags: 0); return "ok" }
        return out
    }

    @Test(arguments: [MapType.queue, .stack])
    func bothBackendsAnswerAlike(type: MapType) throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let expected = steps(kernel, type)
        #expect(steps(embedded, type) == expected)
        #expect(expected.first == "EINVAL")
    }
}
