import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXConformance
import Testing

/// The engine's maps against the kernel's: random update/lookup/delete/next-key sequences with
/// random flags and keys (some out of range, some absent) must give the same values and the
/// same errno on both, for every map type userspace can drive.
@Suite(needsKernel)
struct MapOperationDifferentialTests {
    static let specs: [MapSpec] = [
        MapSpec(name: "arr", type: .array, keySize: 4, valueSize: 8, maxEntries: 6),
        MapSpec(name: "pcpu_arr", type: .percpuArray, keySize: 4, valueSize: 4, maxEntries: 4),
        MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 5),
        MapSpec(name: "pcpu_hash", type: .percpuHash, keySize: 4, valueSize: 8, maxEntries: 4),
        MapSpec(name: "lpm", type: .lpmTrie, keySize: 8, valueSize: 4, maxEntries: 8, flags: MapFlags.noPrealloc),
    ]

    @Test(arguments: specs)
    func randomOperationsAgree(spec: MapSpec) throws {
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        let a = try engine.createMap(spec)
        let b = try kernel.createMap(spec)
        var rng = SplitMix64(seed: UInt64(spec.type.rawValue) &* 7919)
        let valueBytes = spec.type == .percpuArray || spec.type == .percpuHash
            ? Int((spec.valueSize + 7) / 8 * 8) * EmbeddedSystem.possibleCPUs : Int(spec.valueSize)
        for step in 0..<400 {
            let key = randomKey(spec, &rng)
            let outcomeA: String, outcomeB: String
            switch rng.next() % 4 {
            case 0:
                let value = (0..<valueBytes).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let flags = [MapUpdateFlags.any, MapUpdateFlags.noExist, MapUpdateFlags.exist, 3][Int(rng.next() % 4)]
                outcomeA = describe { try engine.update(map: a, key: key, value: value, flags: flags); return [] }
                outcomeB = describe { try kernel.update(map: b, key: key, value: value, flags: flags); return [] }
            case 1:
                outcomeA = describe { try engine.lookup(map: a, key: key) }
                outcomeB = describe { try kernel.lookup(map: b, key: key) }
            case 2:
                outcomeA = describe { try engine.delete(map: a, key: key); return [] }
                outcomeB = describe { try kernel.delete(map: b, key: key); return [] }
            default:
                // Hash iteration order is the kernel's own; compare next-key only where order is defined.
                guard spec.type == .array || spec.type == .percpuArray else { continue }
                outcomeA = describe { try engine.nextKey(map: a, after: key) ?? [0xee] }
                outcomeB = describe { try kernel.nextKey(map: b, after: key) ?? [0xee] }
            }
            #expect(outcomeA == outcomeB, "\(spec.name) step \(step) key \(key)")
            if outcomeA != outcomeB { break }
        }
    }

    private func randomKey(_ spec: MapSpec, _ rng: inout SplitMix64) -> [UInt8] {
        if spec.type == .lpmTrie {
            // prefix length (host order) then 4 address bytes; a few prefixes over 32 are refused.
            let prefix = UInt32(rng.next() % 36)
            let address: [UInt8] = [10, UInt8(rng.next() % 3), UInt8(rng.next() % 2), UInt8(rng.next() % 4)]
            return withUnsafeBytes(of: prefix.littleEndian, Array.init) + address
        }
        let index = UInt32(rng.next() % UInt64(spec.maxEntries + 3))
        return withUnsafeBytes(of: index.littleEndian, Array.init)
    }

    private func describe(_ body: () throws -> [UInt8]) -> String {
        do { return "ok \(try body())" } catch let error as TCXError { return error.errno.name } catch { return "\(error)" }
    }
}
