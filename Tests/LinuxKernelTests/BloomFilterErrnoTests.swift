import BPFCore
import LinuxKernel
import SwiftTCX
import TCX
import Testing

/// Bloom filter maps through bpf(2) on both backends: create checks (map_extra, flags), push
/// flags, peek by lookup, delete and next key, with the kernel's answers as the reference.
/// Values are few and the filter large, so the kernel's false positives do not show.
@Suite(needsKernel)
struct BloomFilterErrnoTests {
    private func steps(_ system: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        func record(_ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append(try body()) } catch { out.append(error.errno.name) }
        }
        func spec(key: UInt32 = 0, value: UInt32 = 4, max: UInt32 = 1000, flags: UInt32 = 0, extra: UInt64 = 0) -> MapSpec {
            var spec = MapSpec(name: "bloom", type: .bloomFilter, keySize: key, valueSize: value, maxEntries: max, flags: flags)
            spec.mapExtra = extra
            return spec
        }
        for candidate in [spec(key: 4), spec(value: 0), spec(max: 0), spec(extra: 16), spec(extra: 15),
                          spec(flags: 0x40), spec(flags: MapFlags.noPrealloc)] {
            record { () throws(TCXError) in
                try system.close(try system.createMap(candidate))
                return "ok"
            }
        }
        guard let map = try? system.createMap(spec(extra: 3)) else { return out + ["no map"] }
        defer { try? system.close(map) }
        let hex = { (bytes: [UInt8]) in bytes.map { String($0, radix: 16) }.joined(separator: ".") }
        record { () throws(TCXError) in hex(try system.lookup(map: map, key: [])) }
        for (value, flags) in [([UInt8](arrayLiteral: 1, 2, 3, 4), MapUpdateFlags.any), ([1, 2, 3, 4], MapUpdateFlags.noExist),
                               ([1, 2, 3, 4], MapUpdateFlags.exist), ([0, 0, 0, 0], MapUpdateFlags.any)] {
            record { () throws(TCXError) in
                try system.update(map: map, key: [], value: value, flags: flags)
                return "ok"
            }
        }
        record { () throws(TCXError) in hex(try system.lookup(map: map, key: [])) }
        record { () throws(TCXError) in try system.delete(map: map, key: []); return "ok" }
        record { () throws(TCXError) in (try system.nextKey(map: map, after: nil)).map(hex) ?? "none" }
        return out
    }

    @Test func bothBackendsAnswerAlike() throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let expected = steps(kernel)
        #expect(steps(embedded) == expected)
        #expect(expected.first == "EINVAL")
    }
}
