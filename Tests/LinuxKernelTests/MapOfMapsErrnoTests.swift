import BPFCore
import LinuxKernel
import SwiftTCX
import TCX
import Testing

/// Maps of maps through bpf(2) on both backends: creation with a template, storing maps by fd,
/// what a lookup returns (the inner map's id), the errors of each step and their order, and
/// that a slot keeps its map alive after its handle closes. The kernel's answers are the reference.
@Suite(needsKernel)
struct MapOfMapsErrnoTests {
    /// BPF_F_INNER_MAP.
    private static let innerMapFlag: UInt32 = 0x1000

    private static func array(_ value: UInt32 = 8, max: UInt32 = 4, flags: UInt32 = 0) -> MapSpec {
        MapSpec(name: "in", type: .array, keySize: 4, valueSize: value, maxEntries: max, flags: flags)
    }

    private static func outer(_ type: MapType, template: MapSpec, value: UInt32 = 4, max: UInt32 = 3) -> MapSpec {
        var spec = MapSpec(name: "out", type: type, keySize: 4, valueSize: value, maxEntries: max)
        spec.innerMap = template
        return spec
    }

    private static func bytes(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    /// What each step answered: "ok", "id" when a lookup gave the expected map's id, a value,
    /// or the errno's name.
    private func steps(_ system: any BPFObjectSystem, _ type: MapType) -> [String] {
        var out: [String] = []
        func record(_ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append(try body()) } catch { out.append(error.errno.name) }
        }
        let hashed = type == .hashOfMaps
        for spec in [Self.outer(type, template: Self.array()), Self.outer(type, template: Self.array(), value: 8),
                     Self.outer(type, template: Self.outer(.arrayOfMaps, template: Self.array())),
                     Self.outer(type, template: MapSpec(name: "p", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 2)),
                     Self.outer(type, template: Self.array(max: 0))] {
            record { () throws(TCXError) in
                try system.close(try system.createMap(spec))
                return "ok"
            }
        }
        guard let map = try? system.createMap(Self.outer(type, template: Self.array(), max: 2)),
              let first = try? system.createMap(Self.array()), let second = try? system.createMap(Self.array())
        else { return out + ["no maps"] }
        defer { for handle in [map, second] { try? system.close(handle) } }
        func store(_ key: UInt32, _ inner: UInt32, flags: UInt64 = MapUpdateFlags.any) {
            record { () throws(TCXError) in
                try system.update(map: map, key: Self.bytes(key), value: Self.bytes(inner), flags: flags)
                return "ok"
            }
        }
        func lookup(_ key: UInt32, expecting inner: UInt32) {
            record { () throws(TCXError) in
                let value = try system.lookup(map: map, key: Self.bytes(key))
                return value == Self.bytes(inner) ? "id" : value.map { String($0, radix: 16) }.joined(separator: ".")
            }
        }
        guard let firstID = try? system.mapInfo(first).id, let secondID = try? system.mapInfo(second).id else {
            return out + ["no ids"]
        }
        lookup(0, expecting: firstID)
        store(0, first.rawValue)
        lookup(0, expecting: firstID)
        // Incompatible maps, each for its own reason.
        for spec in [Self.array(4), Self.array(max: 5), MapSpec(name: "h", type: .hash, keySize: 4, valueSize: 8, maxEntries: 4),
                     Self.array(flags: MapFlags.rdonlyProg), Self.array(flags: MapFlags.rdonly)] {
            guard let other = try? system.createMap(spec) else { out.append("no map"); continue }
            store(1, other.rawValue)
            try? system.close(other)
        }
        // Flags, range and descriptors, alone and together (which error comes first).
        store(1, second.rawValue, flags: MapUpdateFlags.noExist)
        store(1, second.rawValue, flags: MapUpdateFlags.exist)
        store(7, second.rawValue)
        // A descriptor no file has. (Not one just closed: the kernel world shares the test
        // process's descriptor table, and another test may open a file in that number meanwhile.)
        let notOpen = UInt32(Int32.max - 7)
        store(1, notOpen)
        store(1, notOpen, flags: 8)
        store(7, notOpen)
        store(1, second.rawValue, flags: MapUpdateFlags.noExist)
        store(1, second.rawValue)
        lookup(1, expecting: secondID)
        if hashed { store(5, second.rawValue) }
        // The slot holds its map: closing the handle leaves the id in place.
        try? system.close(first)
        lookup(0, expecting: firstID)
        store(0, second.rawValue)
        lookup(0, expecting: secondID)
        record { () throws(TCXError) in try system.delete(map: map, key: Self.bytes(0)); return "ok" }
        record { () throws(TCXError) in try system.delete(map: map, key: Self.bytes(0)); return "ok" }
        record { () throws(TCXError) in try system.delete(map: map, key: Self.bytes(9)); return "ok" }
        lookup(0, expecting: secondID)
        record { () throws(TCXError) in (try system.nextKey(map: map, after: nil)).map { "\($0)" } ?? "none" }
        return out
    }

    @Test(arguments: [MapType.arrayOfMaps, .hashOfMaps])
    func bothBackendsAnswerAlike(type: MapType) throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let expected = steps(kernel, type)
        let got = steps(embedded, type)
        #expect(got == expected)
        #expect(expected.first == "ok" && expected.contains("id") && expected.contains("EBADF"))
    }

    /// BPF_F_INNER_MAP on the template lets inner maps differ in max_entries.
    @Test func aFlexibleTemplateTakesMapsOfOtherSizes() throws {
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        for system in [embedded, kernel] as [any BPFObjectSystem] {
            let map = try system.createMap(Self.outer(.arrayOfMaps, template: Self.array(flags: Self.innerMapFlag)))
            let big = try system.createMap(Self.array(max: 64, flags: Self.innerMapFlag))
            try system.update(map: map, key: Self.bytes(0), value: Self.bytes(big.rawValue), flags: 0)
            #expect(try system.lookup(map: map, key: Self.bytes(0)) == Self.bytes(try system.mapInfo(big).id))
            for handle in [map, big] { try system.close(handle) }
        }
    }
}
