import BPFCore
import SwiftTCX
import Testing

/// XDP programs in devmap and cpumap slots (`struct bpf_devmap_val` / `bpf_cpumap_val` with a
/// program fd), on every backend this machine has. A slot takes only an XDP program loaded for
/// its map kind (BPF_XDP_DEVMAP / BPF_XDP_CPUMAP): anything else is EINVAL for a devmap, ENOMEM
/// for a cpumap; lookups give the program's id. The map owner rule decides the rest: a slot
/// program makes XDP the map's owner, so a tc program using the map is then refused, and a
/// devmap a tc program already uses takes no program at all. Measured on Linux 6.18.
@Suite struct DeviceMapProgramTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/slotprogs/slotprogs.o")

    static func errno(_ body: () throws -> Void) -> LinuxErrno? {
        do { try body(); return nil } catch { return (error as? TCXError)?.errno }
    }

    static func bytes(_ words: UInt32...) -> [UInt8] { words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } } }

    @Test(arguments: backends) func slotsTakeTheirProgramsOnly(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let devices = try collection.map("devices"), byKey = try collection.map("devices_by_key"), cpus = try collection.map("cpus")
        let onDevice = try collection.program("on_device"), onCPU = try collection.program("on_cpu")
        let plain = try collection.program("plain")
        let lo: UInt32 = 1

        #expect(Self.errno { try devices.update(Self.bytes(0), to: Self.bytes(lo, plain.handle.rawValue)) } == .EINVAL)
        #expect(Self.errno { try devices.update(Self.bytes(0), to: Self.bytes(lo, onCPU.handle.rawValue)) } == .EINVAL)
        #expect(Self.errno { try devices.update(Self.bytes(0), to: Self.bytes(lo, 0x7fff_fff0)) } == .EINVAL)
        try devices.update(Self.bytes(0), to: Self.bytes(lo, onDevice.handle.rawValue))
        #expect(try devices.lookup(Self.bytes(0)) == Self.bytes(lo, try onDevice.id))
        try byKey.update(Self.bytes(5), to: Self.bytes(lo, onDevice.handle.rawValue))
        #expect(try byKey.lookup(Self.bytes(5)) == Self.bytes(lo, try onDevice.id))
        // A slot without a program reads id 0.
        try devices.update(Self.bytes(1), to: Self.bytes(lo, 0))
        #expect(try devices.lookup(Self.bytes(1)) == Self.bytes(lo, 0))

        #expect(Self.errno { try cpus.update(Self.bytes(0), to: Self.bytes(64, onDevice.handle.rawValue)) } == .ENOMEM)
        #expect(Self.errno { try cpus.update(Self.bytes(0), to: Self.bytes(64, plain.handle.rawValue)) } == .ENOMEM)
        try cpus.update(Self.bytes(0), to: Self.bytes(64, onCPU.handle.rawValue))
        #expect(try cpus.lookup(Self.bytes(0)) == Self.bytes(64, try onCPU.id))

        // The slot program made XDP the devmap's owner: an XDP user loads, a tc one does not.
        _ = try collection.program("to_device")
        #expect(Self.errno { _ = try collection.program("read_slot") } == .EINVAL)
    }

    @Test(arguments: backends) func aDevmapTcUsesTakesNoProgram(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let devices = try collection.map("devices")
        let reader = try collection.program("read_slot")
        let onDevice = try collection.program("on_device")
        #expect(Self.errno { try devices.update(Self.bytes(0), to: Self.bytes(1, onDevice.handle.rawValue)) } == .EINVAL)
        #expect(Int32(bitPattern: try reader.testRun(packet: [UInt8](repeating: 0, count: 64)).returnValue) == -1)
        try devices.update(Self.bytes(0), to: Self.bytes(1, 0))
        #expect(try reader.testRun(packet: [UInt8](repeating: 0, count: 64)).returnValue == 0)
    }
}
