import BPFCore
import LinuxKernel
import SwiftTCX
import TCX
import Testing

/// Device, CPU and socket maps through bpf(2) on both backends, the kernel's answers the
/// reference: every creation rule, and the syscall side for what the embedded world can
/// express (its devices, descriptors that are no socket, empty slots).
@Suite(needsKernel)
struct RedirectMapErrnoTests {
    private static let types: [MapType] = [.devmap, .devmapHash, .cpumap, .xskmap, .sockmap, .sockhash, .reuseportSockarray]

    /// Every creation the kernel's rules tell apart, per type; memory-bound sizes left out
    /// (between 2^31 and 2^32 slots the kernel's answer depends on its free memory).
    private func creations(_ system: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        for type in Self.types {
            func attempt(key: UInt32 = 4, value: UInt32 = 4, max: UInt32 = 4, flags: UInt32 = 0, extra: UInt64 = 0) {
                var spec = MapSpec(name: "m", type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags)
                spec.mapExtra = extra
                let label = "\(type) k=\(key) v=\(value) max=\(max) flags=0x\(String(flags, radix: 16)) extra=\(extra)"
                do throws(TCXError) {
                    try system.close(try system.createMap(spec))
                    out.append(label + " ok")
                } catch {
                    out.append(label + " " + error.errno.name)
                }
            }
            attempt()
            for key: UInt32 in [0, 2, 8, 512, 513] { attempt(key: key) }
            for value: UInt32 in [0, 2, 8, 12, 16] { attempt(value: value) }
            // Sizes whose answer does not depend on the machine's free memory: past a limit, or
            // too large for any (a pointer per slot of 2^32 - 1 slots is 32 GiB).
            let allocatesPerSlot = type == .devmap || type == .xskmap || type == .reuseportSockarray
            var sizes: [UInt32] = [0, 1, 256, 257, 4096, 0xffff_ffff]
            if !allocatesPerSlot { sizes.append(0x8000_0001) }
            if type == .cpumap || type == .sockhash { sizes.append((1 << 27) + 1) }
            if type == .cpumap || type == .sockmap || type == .sockhash { sizes.append(0x8000_0000) }
            for max in sizes { attempt(max: max) }
            for bit in 0 ..< 20 { attempt(flags: 1 << bit) }
            attempt(flags: 0x18)
            attempt(flags: 0x180)
            attempt(extra: 1)
            attempt(key: 0, value: 0, max: 0)
            attempt(key: 513, value: 0)
            attempt(value: 0, max: 4096)
        }
        return out
    }

    @Test func creationAnswersAlike() throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let expected = creations(kernel)
        let got = creations(embedded)
        for (want, have) in zip(expected, got) where want != have { Issue.record("kernel: \(want), embedded: \(have)") }
        #expect(got.count == expected.count)
        #expect(expected.contains("cpumap k=4 v=4 max=257 flags=0x0 extra=0 E2BIG"))
    }

    private static func bytes(_ words: UInt32...) -> [UInt8] { words.flatMap { withUnsafeBytes(of: $0) { Array($0) } } }

    /// The syscall side, one line per call: lookups, updates, deletes and key walks.
    private func operations(_ system: any BPFObjectSystem) -> [String] {
        var out: [String] = []
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append(label + " " + (try body())) } catch { out.append(label + " " + error.errno.name) }
        }
        let hex = { (bytes: [UInt8]) in bytes.map { String($0, radix: 16) }.joined(separator: ".") }
        guard let plain = try? system.createMap(MapSpec(name: "plain", type: .hash, keySize: 4, valueSize: 4, maxEntries: 1)) else {
            return ["no plain map"]
        }
        defer { try? system.close(plain) }
        let notSocket = plain.rawValue, closed: UInt32 = 9999
        let device: UInt32
        do { device = try system.createVeth(name: "rm0", peer: "rm1").0 } catch { return ["no veth: \(error)"] }
        for (type, valueSize, max) in [(MapType.devmap, UInt32(4), UInt32(4)), (.devmap, 8, 4), (.devmapHash, 4, 2), (.devmapHash, 8, 2),
                                       (.cpumap, 4, 4), (.cpumap, 8, 4), (.xskmap, 4, 4), (.sockmap, 4, 4), (.sockmap, 8, 4),
                                       (.sockhash, 4, 4), (.sockhash, 8, 4), (.reuseportSockarray, 4, 4), (.reuseportSockarray, 8, 4)] {
            let name = "\(type)/\(valueSize)"
            guard let map = try? system.createMap(MapSpec(name: "r", type: type, keySize: 4, valueSize: valueSize, maxEntries: max)) else {
                out.append(name + " not created")
                continue
            }
            defer { try? system.close(map) }
            func value(_ first: UInt32, _ second: UInt32 = 0) -> [UInt8] { Array(Self.bytes(first, second).prefix(Int(valueSize))) }
            func lookup(_ key: UInt32) { record("\(name) lookup \(key)") { () throws(TCXError) in hex(try system.lookup(map: map, key: Self.bytes(key))) } }
            func update(_ key: UInt32, _ v: [UInt8], _ flags: UInt64 = 0) {
                // A map's fd differs between the backends: the line names it.
                let words = stride(from: 0, to: v.count, by: 4).map { (at: Int) -> UInt32 in
                    v[at ..< at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                }
                let holdsDevices = type == .devmap || type == .devmapHash
                let shown = words.enumerated().map { index, word in
                    if holdsDevices, index == 0 { return word == device ? "dev" : String(word) }
                    return word == notSocket ? "mapfd" : String(word)
                }.joined(separator: ",")
                record("\(name) update \(key) \(shown) flags=\(flags)") { () throws(TCXError) in
                    try system.update(map: map, key: Self.bytes(key), value: v, flags: flags)
                    return "ok"
                }
            }
            func delete(_ key: UInt32) { record("\(name) delete \(key)") { () throws(TCXError) in try system.delete(map: map, key: Self.bytes(key)); return "ok" } }
            func next(_ key: UInt32?) {
                record("\(name) next \(key.map(String.init) ?? "-")") { () throws(TCXError) in
                    try system.nextKey(map: map, after: key.map { Self.bytes($0) }).map(hex) ?? "end"
                }
            }
            // The kernel makes a devmap read-only to programs, and says so in its flags.
            record("\(name) info") { () throws(TCXError) in "flags=0x" + String(try system.mapInfo(map).flags, radix: 16) }
            lookup(0)
            lookup(9)
            switch type {
            case .devmap, .devmapHash:
                for (key, target) in [(0, 1), (1, device), (2, 99), (3, 0), (7, 1), (9, 1)] as [(UInt32, UInt32)] { update(key, value(target)) }
                update(0, value(1), 1)
                update(2, value(1), 1)
                update(2, value(1), 2)
                update(9, value(1), 2)
                update(0, value(1), 3)
                update(0, value(1), 4)
                if valueSize == 8 {
                    for program in [UInt32.max, 0, 0xffff_fffe, notSocket, closed] { update(1, value(1, program)) }
                    update(3, value(0, notSocket))
                    update(3, value(0, UInt32.max))
                }
                lookup(0)
                lookup(1)
                next(nil); next(0); next(1); next(3); next(100)
                record("\(name) delete device") { () throws(TCXError) in try system.deleteDevice(ifindex: device); return "ok" }
                lookup(1)
                next(nil); next(0)
                delete(0); delete(0); delete(4); delete(100)
                next(nil)
            case .cpumap:
                update(0, value(192))
                lookup(0)
                update(1, value(16384)); update(1, value(16385)); update(2, value(100)); update(2, value(16385)); update(2, value(0))
                update(4, value(100)); update(0, value(100), 1); update(3, value(100), 1); update(2, value(100), 2); update(0, value(100), 3)
                update(4, value(100), 3); update(4, value(100), 1)
                if valueSize == 8 { update(0, value(100, UInt32.max)); update(0, value(64, notSocket)); update(0, value(64, closed)) }
                lookup(0)
                update(0, value(0))
                lookup(0)
                lookup(1)
                delete(1); delete(1); delete(4)
                next(nil); next(3); next(9)
            default:
                for (key, descriptor) in [(0, closed), (0, notSocket), (0, 0x8000_0000), (4, closed), (4, notSocket)] as [(UInt32, UInt32)] {
                    update(key, value(descriptor))
                }
                update(0, value(closed), 1)
                update(0, value(closed), 3)
                update(4, value(closed), 3)
                update(0, value(closed), 4)
                if valueSize == 8 { update(0, value(closed, 1)) }
                delete(0); delete(4)
                next(nil); next(3); next(9)
            }
        }
        return out
    }

    @Test func operationsAnswerAlike() throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        let expected = operations(kernel)
        let got = operations(embedded)
        for (want, have) in zip(expected, got) where want != have { Issue.record("kernel: \(want), embedded: \(have)") }
        #expect(got.count == expected.count)
        #expect(expected.contains("xskmap/4 update 0 9999 flags=0 EBADF"))
        #expect(expected.contains("devmap/4 info flags=0x80"))
    }
}
